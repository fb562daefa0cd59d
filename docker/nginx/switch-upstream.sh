#!/bin/sh
# Points the proxy at another app tier without dropping a request:
#
#   switch-upstream.sh HOST:PORT          e.g. app-green:8080
#
# Renders upstream.conf from its template, checks the whole configuration (nginx -t; on failure
# the previous file is put back) and reloads: nginx's old workers finish the requests they have,
# the new workers send everything to HOST:PORT. Runs inside the proxy container
# (docker compose -p erpmax exec proxy /etc/nginx/erpmax/switch-upstream.sh app-green:8080) or,
# with these overrides, against any nginx:
#   NGINX_TEMPLATE   /etc/nginx/templates/upstream.conf.template
#   NGINX_UPSTREAM   /etc/nginx/conf.d/upstream.conf (the rendered file)
#   NGINX_CMD        nginx (the command, with its -p/-c options; not NGINX, which nginx itself
#                    reads as a list of inherited sockets)
set -eu

upstream=${1:?usage: switch-upstream.sh HOST:PORT}
case $upstream in
    *:*) ;;
    *) echo "switch-upstream: give HOST:PORT, not '$upstream'" >&2; exit 2 ;;
esac
case $upstream in
    *[!A-Za-z0-9.:_\[\]-]*) echo "switch-upstream: '$upstream' is not a host:port" >&2; exit 2 ;;
esac
template=${NGINX_TEMPLATE:-/etc/nginx/templates/upstream.conf.template}
target=${NGINX_UPSTREAM:-/etc/nginx/conf.d/upstream.conf}
nginx=${NGINX_CMD:-nginx}

cp "$target" "$target.previous"
sed "s|\${ERPMAX_UPSTREAM}|$upstream|g" "$template" >"$target.new"
mv "$target.new" "$target"
if ! $nginx -t -q; then
    mv "$target.previous" "$target"
    echo "switch-upstream: the configuration for $upstream does not check; kept the previous one" >&2
    exit 1
fi
$nginx -s reload
echo "switch-upstream: now sending to $upstream (was: $(sed -n 's/^ *server \([^ ;]*\).*/\1/p' "$target.previous"))"
