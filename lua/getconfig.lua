-- mlb: /_haproxy_getconfig (spec section 7), as marathon-lb: the configuration file named by
-- the first `-f` argument, read when HAProxy loads its configuration (start and every
-- reload), so the answer is the config the running worker loaded, not the file on disk.

-- Load the shared helpers from this file's own folder (lua-load gives no search path).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local mlb = require("mlb-common")

local haproxy_config = ""

core.register_init(function()
  local path = mlb.config_path()
  haproxy_config = path and mlb.read_file(path) or ""
end)

core.register_service("getconfig", "http", function(applet)
  mlb.send_text(applet, 200, haproxy_config)
end)
