# The endpoints the benchmarks measure, and the form in which the limit server is given
# usagemock's answers; sourced by bench.sh, request-calls.sh and server-instructions.sh.
# Each endpoint: id|label|method|Authorization|target|body|expected status
# shellcheck disable=SC2034  # used by the scripts that source this file
ENDPOINTS=(
  'balance|Poe balance|GET|Bearer sk_test_poe|/usage/current_balance||200'
  'poe100|Poe points_history limit=100|GET|Bearer sk_test_poe|/usage/points_history?limit=100||200'
  'hb24|HookBridge usage-history limit=24|GET|Bearer hb_test_key|/v1/billing/usage-history?limit=24||200'
  'klaim100|Klaim POST {"limit":100}|POST|Bearer klaim_test_key|/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage|{"limit":100}|200'
  'syb200|Sybilion usage limit=200 created_at asc|GET|Bearer sk_ops_test|/api/v1/usage?limit=200&sort=created_at&order=asc||200'
  'unauth|401: Poe balance, bad key|GET|Bearer sk_wrong_key|/usage/current_balance||401'
)

# selected_endpoints [ID...]: the ENDPOINTS lines with these ids, one per line; all of
# them when no id is given.
selected_endpoints() {
  local line
  for line in "${ENDPOINTS[@]}"; do
    [ $# -eq 0 ] || [[ " $* " == *" ${line%%|*} "* ]] && echo "$line"
  done
  return 0
}

# write_capture METHOD AUTH TARGET STATUS HEAD BODY: on stdout, an answer in
# limit-server's .resp format, from curl's dump of its head (-D HEAD) and its body: the
# request it answers, the status, the header fields but Date/Content-Length/Connection,
# a blank line, the body.
write_capture() {
  printf '%s %s\n%s\n%s\n' "$1" "$3" "$2" "$4"
  tr -d '\r' <"$5" | sed 1d | grep -v -i -E '^(date|content-length|connection|transfer-encoding):|^$' || true
  printf '\n'
  cat "$6"
}
