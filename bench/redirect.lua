-- wrk script: GET /l/{slug} with a random slug from the file given after `--`.
local slugs = {}

function init(args)
  for line in io.lines(args[1]) do
    slugs[#slugs + 1] = line
  end
end

function request()
  return wrk.format("GET", "/l/" .. slugs[math.random(#slugs)])
end

-- wrk itself reports any answer that is not 2xx/3xx ("Non-2xx or 3xx responses").
