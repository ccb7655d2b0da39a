-- mlb: helpers shared by the :9090 Lua services (getpids, getconfig, getmaps, signalmlb).
-- Each service loads it with `require` from its own folder, so the default HEAD still names
-- only marathon-lb's four files.

local M = {}

-- Whole content of `path`, or nil when it cannot be opened.
function M.read_file(path)
  local f = io.open(path, "rb")
  if f == nil then return nil end
  local content = f:read("*a")
  f:close()
  return content
end

-- The configuration file of this HAProxy: the argument after the first `-f` of its command
-- line. Arguments are NUL-separated; splitting on NUL (not on spaces, as marathon-lb did) keeps
-- paths with spaces intact.
function M.config_path()
  local cmdline = M.read_file("/proc/self/cmdline") or ""
  local found = false
  for arg in cmdline:gmatch("([^%z]+)") do
    if found then return arg end
    if arg == "-f" then found = true end
  end
  return nil
end

-- A text/plain answer with an explicit content-length, as marathon-lb's services send.
function M.send_text(applet, status, body)
  applet:set_status(status)
  applet:add_header("content-length", string.len(body))
  applet:add_header("content-type", "text/plain")
  applet:start_response()
  applet:send(body)
end

return M
