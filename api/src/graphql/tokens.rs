//! A GraphQL document's lexical tokens, as far as counting and comparing documents need them:
//! names and numbers, strings (kept as written), `...`, and single punctuators; comments, commas
//! and whitespace are not tokens.

/// Whether a character continues a name or a number.
fn word(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Whether a token is a name or a number (two of them in a row need a space between them).
pub fn is_word(token: &str) -> bool {
    token.chars().next().is_some_and(word) && !token.starts_with("..")
}

/// The tokens of a document, in order.
pub fn tokens(document: &str) -> impl Iterator<Item = &str> + '_ {
    let mut chars = document.char_indices().peekable();
    std::iter::from_fn(move || {
        loop {
            let (start, c) = chars.next()?;
            let end = match c {
                '#' => {
                    while chars.next_if(|&(_, c)| c != '\n' && c != '\r').is_some() {}
                    continue;
                }
                c if c.is_whitespace() || c == ',' || c == '\u{feff}' => continue,
                '"' => {
                    let mut escaped = false;
                    let mut end = document.len();
                    for (i, c) in chars.by_ref() {
                        match c {
                            '\\' if !escaped => escaped = true,
                            '"' if !escaped => {
                                end = i + 1;
                                break;
                            }
                            _ => escaped = false,
                        }
                    }
                    end
                }
                '.' if chars.peek().is_some_and(|&(_, c)| c == '.') => {
                    chars.next();
                    chars.next_if(|&(_, c)| c == '.');
                    chars.peek().map_or(document.len(), |&(i, _)| i)
                }
                c if word(c) => {
                    while chars.next_if(|&(_, c)| word(c)).is_some() {}
                    chars.peek().map_or(document.len(), |&(i, _)| i)
                }
                c => start + c.len_utf8(),
            };
            return Some(&document[start..end]);
        }
    })
}
