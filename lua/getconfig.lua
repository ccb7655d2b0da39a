-- mlb: /_haproxy_getconfig (spec section 7), as marathon-lb: the configuration file named by
-- the first `-f` argument, read when HAProxy loads its configuration (start and every
-- reload), so the answer is the config the running worker loaded, not the file on disk.

local function config_path()
  local f = io.open("/proc/self/cmdline", "rb")
  if f == nil then return nil end
  local cmdline = f:read("*a")
  f:close()
  -- Arguments are NUL-separated; splitting on NUL (not on spaces, as marathon-lb did) keeps
  -- paths with spaces intact.
  local found = false
  for arg in cmdline:gmatch("([^%z]+)") do
    if found then return arg end
    if arg == "-f" then found = true end
  end
  return nil
end

local function load_config()
  local path = config_path()
  if path == nil then return "" end
  local f = io.open(path, "rb")
  if f == nil then return "" end
  local config = f:read("*a")
  f:close()
  return config
end

local haproxy_config = ""

core.register_init(function()
  haproxy_config = load_config()
end)

core.register_service("getconfig", "http", function(applet)
  applet:set_status(200)
  applet:add_header("content-length", string.len(haproxy_config))
  applet:add_header("content-type", "text/plain")
  applet:start_response()
  applet:send(haproxy_config)
end)
