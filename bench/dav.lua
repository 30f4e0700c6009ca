-- wrk script: one fixed DAV request. Arguments after `--`:
--   method, path, body file ("" for none), Depth header ("" for none), Authorization value,
--   and "fresh" to make every body unique (an XML comment), so no cached answer applies.
local method, path, body, depth, auth, fresh
local counter = 0

function init(args)
  method, path, depth, auth, fresh = args[1], args[2], args[4], args[5], args[6] == "fresh"
  if args[3] ~= "" then
    local f = assert(io.open(args[3], "rb"))
    body = f:read("*a")
    f:close()
  end
end

function request()
  local headers = { ["Authorization"] = auth, ["Content-Type"] = "application/xml; charset=utf-8" }
  if depth ~= "" then headers["Depth"] = depth end
  if fresh and body then
    counter = counter + 1
    return wrk.format(method, path, headers, body .. "<!-- " .. math.random(1e9) .. "-" .. counter .. " -->")
  end
  return wrk.format(method, path, headers, body)
end
