-- wrk script: each request sends the next key of the file named by WRK_KEYS (one per line).
local keys = {}
for line in io.lines(os.getenv("WRK_KEYS")) do keys[#keys + 1] = line end
local i = 0
request = function()
  i = i % #keys + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. keys[i] })
end
