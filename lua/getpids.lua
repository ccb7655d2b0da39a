-- mlb: /_haproxy_getpids (spec section 7).
-- marathon-lb ran `pidof haproxy`, which also counts every other HAProxy on the machine. This
-- service reports only this instance: its master (the parent of the worker answering) and the
-- master's children, i.e. the current worker plus any old workers still draining. It reads
-- /proc only, so it does not need to fork (HAProxy forbids fork unless insecure-fork-wanted).
-- Body: space-separated pids, master first; 200, text/plain, explicit content-length.

-- Load the shared helpers from this file's own folder (lua-load gives no search path).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local mlb = require("mlb-common")
local read_all = mlb.read_file

-- Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses).
local function stat_fields(pid)
  local stat = read_all("/proc/" .. pid .. "/stat")
  if stat == nil then return nil end
  local rest = stat:match("^.*%)%s+(.*)$")
  if rest == nil then return nil end
  local fields = {}
  for f in rest:gmatch("%S+") do fields[#fields + 1] = f end
  return fields
end

local function comm(pid)
  local c = read_all("/proc/" .. pid .. "/comm")
  return c and c:gsub("%s+$", "") or nil
end

local function instance_pids()
  local self_stat = read_all("/proc/self/stat")
  local self_pid = self_stat and self_stat:match("^(%d+)")
  local fields = self_pid and stat_fields(self_pid)
  local master = fields and fields[2]
  local name = self_pid and comm(self_pid)
  -- Without -W there is no master: the parent is whatever started HAProxy.
  if master == nil or comm(master) ~= name then return self_pid or "" end
  local pids = { master }
  local children = read_all("/proc/" .. master .. "/task/" .. master .. "/children") or ""
  for child in children:gmatch("%d+") do
    if comm(child) == name then pids[#pids + 1] = child end
  end
  if #pids == 1 then pids[2] = self_pid end
  return table.concat(pids, " ")
end

core.register_service("getpids", "http", function(applet)
  mlb.send_text(applet, 200, instance_pids())
end)
