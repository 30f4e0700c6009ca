-- wrk script: one fixed DAV request. Arguments after `--`:
--   method, path, body file ("" for none), Depth header ("" for none), Authorization value.
local method, path, body, depth, auth

function init(args)
  method, path, depth, auth = args[1], args[2], args[4], args[5]
  if args[3] ~= "" then
    local f = assert(io.open(args[3], "rb"))
    body = f:read("*a")
    f:close()
  end
end

function request()
  local headers = { ["Authorization"] = auth, ["Content-Type"] = "application/xml; charset=utf-8" }
  if depth ~= "" then headers["Depth"] = depth end
  return wrk.format(method, path, headers, body)
end
