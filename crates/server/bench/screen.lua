-- wrk script: POST /v1/screen with fictitious travellers (and a few very
-- common name tokens, the expensive case), authenticated by TANSIQ_TOKEN.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TANSIQ_TOKEN")
local bodies = {
  '{"names":["Karim Fictif Haddad"],"birth_date":"1971-03-14","nationality":"DZ"}',
  '{"names":["Mohamed Ali"],"context":{"border_post":"DZ-ALG-AIR","direction":"entry"}}',
  '{"names":["Abdelkader Imaginaire Benali"],"gender":"male"}',
  '{"names":["عبد القادر حداد"]}',
  '{"names":["Nadia Inventee Saadi"],"birth_date":"1985"}',
  '{"names":["Abu Bakr al-Fictif"],"nationality":"TN"}',
  '{"names":["Youssef Testeur Ben Amor"],"documents":[{"number":"X1234567"}]}',
  '{"names":["Ahmed Mohamed Abdallah"]}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/v1/screen", nil, bodies[(i % #bodies) + 1])
end
