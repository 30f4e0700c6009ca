-- wrk script: PUT of new events, each with its own name and UID. Arguments after `--`:
--   method (PUT), collection path, (unused), (unused), Authorization value ("" for none).
local path, auth
local counter = 0
local prefix

function init(args)
  path, auth = args[2], args[5]
  -- Threads and runs must not collide: a random prefix per thread.
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  prefix = string.format("%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
end

function request()
  counter = counter + 1
  local uid = prefix .. "-" .. counter
  local body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
    .. "UID:" .. uid .. "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Zurich:20260615T090000\r\n"
    .. "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=30\r\nSUMMARY:Put bench " .. counter .. "\r\n"
    .. "LOCATION:Room 7\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
  local headers = { ["Content-Type"] = "text/calendar; charset=utf-8", ["If-None-Match"] = "*" }
  if auth ~= "" then headers["Authorization"] = auth end
  return wrk.format("PUT", path .. uid .. ".ics", headers, body)
end
