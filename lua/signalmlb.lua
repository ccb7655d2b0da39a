-- mlb: /_mlb_signal/hup and /_mlb_signal/usr1 (spec section 7). marathon-lb matched its process
-- with `pkill -f '^python.*marathon_lb.py'` (spec 10.28); mlb is found through its pid file,
-- whose path HAProxy's environment carries in MLB_PID_FILE (read at request time, so a
-- restarted mlb is found). Bodies and status codes are marathon-lb's, word for word.
-- Sending a signal needs a `kill` process: as root this works; a worker running as another
-- user needs `insecure-fork-wanted` (else fork fails: exit code 127) and can only signal an
-- mlb running as that same user (docs/haproxy.md).

-- Load the shared helpers from this file's own folder (lua-load gives no search path).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local mlb = require("mlb-common")

local function mlb_pid()
  local path = os.getenv("MLB_PID_FILE")
  if path == nil or path == "" then return nil end
  local content = mlb.read_file(path)
  -- Only digits reach the command line below.
  return content and content:match("^%s*(%d+)%s*$")
end

-- Returns success and the exit code, like pkill's (1 = no process found).
local function send_signal(name)
  local pid = mlb_pid()
  if pid == nil then return false, 1 end
  local ok, _, code = os.execute("kill -s " .. name .. " " .. pid .. " 2>/dev/null")
  return ok == true, tonumber(code) or 1
end

local function signal_service(name)
  return function(applet)
    local success, code = send_signal(name)
    if not success then
      mlb.send_text(applet, 500, string.format(
        "Failed to send SIG%s signal to marathon-lb (exit code %d). Is marathon-lb running in 'poll' mode?", name, code))
      return
    end
    mlb.send_text(applet, 200, "Sent SIG" .. name .. " signal to marathon-lb")
  end
end

core.register_service("signalmlbhup", "http", signal_service("HUP"))
core.register_service("signalmlbusr1", "http", signal_service("USR1"))
