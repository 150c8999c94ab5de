//! One GraphQL client, with an optional bearer token and language.

use serde_json::{Value, json};

/// Sends GraphQL over HTTP to a test server.
#[derive(Clone)]
pub struct Client {
    base: String,
    token: Option<String>,
    lang: Option<String>,
    http: reqwest::Client,
}

/// A GraphQL answer with its HTTP status.
#[derive(Debug)]
pub struct Gql {
    pub status: u16,
    pub body: Value,
}

impl Client {
    pub fn new(base: &str, token: Option<String>) -> Self {
        Client {
            base: base.to_owned(),
            token,
            lang: None,
            http: reqwest::Client::new(),
        }
    }

    /// The same client asking for names in `lang` (an `Accept-Language` value).
    pub fn with_lang(mut self, lang: &str) -> Self {
        self.lang = Some(lang.to_owned());
        self
    }

    /// A client of the same server with this access token.
    pub fn with_token(&self, token: &str) -> Self {
        Client {
            base: self.base.clone(),
            token: Some(token.to_owned()),
            lang: self.lang.clone(),
            http: self.http.clone(),
        }
    }

    /// The same client with another `Authorization` header value.
    pub fn with_raw_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// POSTs one operation.
    pub async fn gql(&self, query: &str, variables: Value) -> Gql {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &self.token {
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(lang) = &self.lang {
            req = req.header("Accept-Language", lang);
        }
        let resp = req.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.expect("a JSON body");
        Gql { status, body }
    }

    /// GETs a path of the server.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("the server answers")
    }
}

impl Gql {
    /// `data`, after asserting that there are no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        assert_eq!(self.status, 200, "status of {}", self.body);
        &self.body["data"]
    }

    /// Asserts the first error's `extensions.code`.
    pub fn assert_code(&self, code: &str) {
        let errors = self.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors in {}", self.body));
        assert_eq!(errors[0]["extensions"]["code"], code, "in {}", self.body);
    }
}
