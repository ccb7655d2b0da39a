-- mlb: /_haproxy_getvhostmap and /_haproxy_getappmap (spec section 7), as marathon-lb: the map
-- files in the folder of the `-f` configuration, read at request time; a missing file gives an
-- empty body. 200, text/plain, explicit content-length.

local function read_file(path)
  local f = io.open(path, "rb")
  if f == nil then return "" end
  local content = f:read("*a")
  f:close()
  return content
end

local function config_dir()
  local cmdline = read_file("/proc/self/cmdline")
  local found = false
  for arg in cmdline:gmatch("([^%z]+)") do
    if found then return arg:match("(.*/)") or "" end
    if arg == "-f" then found = true end
  end
  return ""
end

local function send_map(applet, map)
  applet:set_status(200)
  applet:add_header("content-length", string.len(map))
  applet:add_header("content-type", "text/plain")
  applet:start_response()
  applet:send(map)
end

core.register_service("getvhostmap", "http", function(applet)
  send_map(applet, read_file(config_dir() .. "domain2backend.map"))
end)

core.register_service("getappmap", "http", function(applet)
  send_map(applet, read_file(config_dir() .. "app2backend.map"))
end)
