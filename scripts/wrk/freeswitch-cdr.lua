-- Each request a finished call as mod_json_cdr posts it (encode=false: raw JSON, ?uuid=),
-- with a uuid of its own, so every post is a new call stored. The caller is the login in
-- the environment (CALLER); 105 answers.
local counter = 0
local caller = os.getenv("CALLER") or "107-1"
local thread_id = 0
tid = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  counter = 0
end

request = function()
  counter = counter + 1
  local uuid = string.format("bench-%d-%d-%d", os.time(), tid, counter)
  local start = 1796000000 + counter
  local body = string.format([[{"core-uuid":"0b7a4c2e-8d1f-4a55-9f0e-3c2d1b0a9f88","switchname":"fs1","channel_data":{"state":"CS_REPORTING","direction":"inbound"},"variables":{"uuid":"%s","direction":"inbound","domain_name":"acme.example","sip_from_user":"%s","sip_from_host":"acme.example","sip_to_user":"105","sip_to_host":"acme.example","caller_id_name":"Front%%20Desk","destination_number":"105","start_epoch":"%d","answer_epoch":"%d","bridge_epoch":"%d","end_epoch":"%d","bridge_channel":"sofia%%2Finternal%%2F105-1%%40192.0.2.10%%3A5060","hangup_cause":"NORMAL_CLEARING","sip_term_status":"200"},"callflow":[{"profile_index":"1","caller_profile":{"destination_number":"105"}}]}]],
    uuid, caller, start, start + 4, start + 4, start + 64)
  return wrk.format("POST", "/switch/freeswitch/cdr?uuid=" .. uuid, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Basic " .. (os.getenv("AUTH") or ""),
  }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  end
end
