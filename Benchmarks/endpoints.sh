# The endpoints the benchmarks measure, sourced by bench.sh and request-calls.sh.
# Each: id|label|method|Authorization|target|body|expected status
# shellcheck disable=SC2034  # used by the scripts that source this file
ENDPOINTS=(
  'balance|Poe balance|GET|Bearer sk_test_poe|/usage/current_balance||200'
  'poe100|Poe points_history limit=100|GET|Bearer sk_test_poe|/usage/points_history?limit=100||200'
  'hb24|HookBridge usage-history limit=24|GET|Bearer hb_test_key|/v1/billing/usage-history?limit=24||200'
  'klaim100|Klaim POST {"limit":100}|POST|Bearer klaim_test_key|/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage|{"limit":100}|200'
  'syb200|Sybilion usage limit=200 created_at asc|GET|Bearer sk_ops_test|/api/v1/usage?limit=200&sort=created_at&order=asc||200'
  'unauth|401: Poe balance, bad key|GET|Bearer sk_wrong_key|/usage/current_balance||401'
)
