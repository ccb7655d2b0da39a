-- mlb: /_haproxy_getvhostmap and /_haproxy_getappmap (spec section 7), as marathon-lb: the map
-- files in the folder of the `-f` configuration, read at request time; a missing file gives an
-- empty body. 200, text/plain, explicit content-length.

-- Load the shared helpers from this file's own folder (lua-load gives no search path).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local mlb = require("mlb-common")

local function config_dir()
  return (mlb.config_path() or ""):match("(.*/)") or ""
end

core.register_service("getvhostmap", "http", function(applet)
  mlb.send_text(applet, 200, mlb.read_file(config_dir() .. "domain2backend.map") or "")
end)

core.register_service("getappmap", "http", function(applet)
  mlb.send_text(applet, 200, mlb.read_file(config_dir() .. "app2backend.map") or "")
end)
