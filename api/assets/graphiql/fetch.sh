#!/bin/sh
# Re-fetches the vendored GraphiQL IDE from the npm registry and checks it.
#
#   api/assets/graphiql/fetch.sh          download, verify each tarball's sha512 integrity (as the
#                                         registry publishes it), and compare with the files here
#   api/assets/graphiql/fetch.sh --write  the same, then replace the files here with the fetched ones
#
# To move to another version: change a version and its integrity below (`npm view PKG@VERSION
# dist.integrity`), run with --write, update README.md here and the paths in api/src/http/ide/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
registry=${NPM_REGISTRY:-https://registry.npmjs.org}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package version integrity files (path in the tarball -> name here)
packages='
graphiql 3.8.3 sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw== package/graphiql.min.js:graphiql.min.js,package/graphiql.min.css:graphiql.min.css,package/LICENSE:LICENSES/graphiql.txt
react 18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ== package/umd/react.production.min.js:react.production.min.js,package/LICENSE:LICENSES/react.txt
react-dom 18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw== package/umd/react-dom.production.min.js:react-dom.production.min.js,package/LICENSE:LICENSES/react-dom.txt
'

write=false
[ "${1:-}" = "--write" ] && write=true
status=0
echo "$packages" | while read -r name version integrity files; do
    [ -n "$name" ] || continue
    tarball="$registry/$name/-/$name-$version.tgz"
    curl -fsSL "$tarball" -o "$work/$name.tgz"
    got="sha512-$(openssl dgst -sha512 -binary "$work/$name.tgz" | base64 | tr -d '\n')"
    if [ "$got" != "$integrity" ]; then
        echo "$name@$version: integrity mismatch: got $got, expected $integrity" >&2
        exit 1
    fi
    echo "$name@$version: $tarball integrity ok"
    mkdir -p "$work/$name"
    tar -xzf "$work/$name.tgz" -C "$work/$name"
    for pair in $(echo "$files" | tr ',' ' '); do
        from=${pair%%:*}
        to=${pair#*:}
        if $write; then
            mkdir -p "$(dirname "$here/$to")"
            cp "$work/$name/$from" "$here/$to"
            echo "  wrote $to"
        elif cmp -s "$work/$name/$from" "$here/$to"; then
            echo "  $to is identical"
        else
            echo "  $to DIFFERS from $name@$version's $from" >&2
            exit 1
        fi
    done
done || status=1
if [ "$status" -eq 0 ]; then
    (cd "$here" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js)
fi
exit "$status"
