-- `:checkhealth fim_lsp`: can the server start, and can it reach the model?
local compat = require('fim_lsp.compat')
local config = require('fim_lsp.config')
local server = require('fim_lsp.server')

local M = {}

local health = vim.health
local MIN_PYTHON = { 3, 10 }

--- The Python interpreter that runs the server: `python -m fim_lsp`'s first word, or the
--- shebang of the `fim-lsp` script.
---@param cmd string[]
---@return string?
local function interpreter(cmd)
  if cmd[2] == '-m' then
    return cmd[1]
  end
  local path = vim.fn.exepath(cmd[1])
  local file = path ~= '' and io.open(path, 'r')
  if not file then
    return nil
  end
  local first = file:read('*l') or ''
  file:close()
  local shebang = first:match('^#!%s*(%S+)')
  if shebang and shebang:match('python[%d.]*$') then
    return shebang
  end
end

--- Settings as the server's FIM_LSP_* environment variables, for `fim-lsp check`.
---@param settings table<string, any>
---@return table<string, string>
local function settings_env(settings)
  local env = {}
  for key, value in pairs(settings) do
    local kind = type(value)
    if kind == 'string' or kind == 'number' or kind == 'boolean' then
      local snake = key:gsub('(%u)', '_%1'):upper()
      env['FIM_LSP_' .. snake] = tostring(value)
    end
  end
  return env
end

--- Ask the model for a few tokens through the server's own `check` command: proves the
--- endpoint, model name and key together.
---@param python string
---@param cfg fim_lsp.Config
local function check_model(python, cfg)
  local env = settings_env(cfg.settings)
  if not server.key_from_env() and cfg.api_key_cmd then
    env.FIM_LSP_API_KEY = server.run_key_command(cfg.api_key_cmd, 15000)
  end
  local result = vim.system({ python, '-m', 'fim_lsp', 'check' }, { text = true, env = env })
    :wait(20000)
  local output = vim.trim((result.stdout or '') .. '\n' .. (result.stderr or ''))
  local lines = vim.split(output, '\n')
  if result.code == 0 then
    health.ok('model answered: ' .. (output:match('OK: [^\n]*') or lines[#lines]))
  else
    health.error('model check failed: ' .. (output:match('FAILED: [^\n]*') or lines[#lines]), {
      lines[#lines],
    })
  end
end

---@param cmd string[]
---@return string? python the interpreter that runs the server, when it can import fim_lsp
local function check_server(cmd)
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    health.error(('server command %q not found'):format(cmd[1]), {
      'pip install fim-lsp (or set `cmd` in setup())',
    })
    return
  end
  health.ok(('server command: %s (%s)'):format(table.concat(cmd, ' '), exe))

  local python = interpreter(cmd)
  if not python then
    health.info('cannot tell which Python runs the server')
    return
  end
  local result = vim.system({
    python,
    '-c',
    'import sys, fim_lsp; print("%d.%d.%d" % sys.version_info[:3])',
  }, { text = true }):wait(15000)
  local version = vim.trim(result.stdout or '')
  if result.code ~= 0 then
    local lines = vim.split(vim.trim(result.stderr or ''), '\n')
    health.error(('%s cannot import fim_lsp: %s'):format(python, lines[#lines] or '?'), {
      'install the server into that Python: pip install fim-lsp',
    })
    return
  end
  local major, minor = version:match('^(%d+)%.(%d+)')
  if tonumber(major) * 100 + tonumber(minor) < MIN_PYTHON[1] * 100 + MIN_PYTHON[2] then
    health.error(('Python %s is too old; fim-lsp needs %d.%d+'):format(version, unpack(MIN_PYTHON)))
  else
    health.ok(('Python %s with fim_lsp (%s)'):format(version, python))
  end
  return python
end

---@class fim_lsp.ProviderFacts
---@field baseUrl string? nil when the server's registry could not be read
---@field keyVariables string[]
---@field keyRequired boolean

--- The server's provider registry (`fim_lsp.providers.registry.export()`), read through the
--- Python that runs the server; without it, the plugin's own table of key variables.
---@param python string?
---@return table<string, fim_lsp.ProviderFacts>
local function providers(python)
  if python then
    local result = vim.system({
      python,
      '-c',
      'from fim_lsp.providers.registry import export; print(export())',
    }, { text = true }):wait(15000)
    local ok, decoded = pcall(vim.json.decode, result.stdout or '')
    if result.code == 0 and ok and type(decoded) == 'table' then
      return decoded
    end
  end
  local known = { ollama = {}, llamacpp = {} }
  for name, variable in pairs(server.provider_key_vars) do
    known[name] = { keyVariables = { variable } }
  end
  for _, facts in pairs(known) do
    facts.keyVariables = facts.keyVariables or {}
    facts.keyRequired = #facts.keyVariables > 0
  end
  return known
end

---@param names string[]
---@return boolean
local function all_set(names)
  for _, name in ipairs(names) do
    if (vim.env[name] or '') == '' then
      return false
    end
  end
  return #names > 0
end

---@param cfg fim_lsp.Config
---@param name string the configured provider
---@param facts fim_lsp.ProviderFacts
---@return boolean found
local function check_key(cfg, name, facts)
  if not facts.keyRequired then
    health.ok(name .. ' needs no API key')
    return true
  end
  -- An AK/SK pair (Qianfan) needs both halves, from the same place.
  local pair = #facts.keyVariables > 1
  local own = facts.keyVariables
  local generic = pair and { 'FIM_LSP_API_KEY', 'FIM_LSP_SECRET_KEY' } or { 'FIM_LSP_API_KEY' }
  for _, names in ipairs({ generic, own }) do
    if all_set(names) then
      health.ok('API key set in $' .. table.concat(names, ' and $'))
      return true
    end
  end
  if cfg.api_key_cmd and not pair then
    local key, err = server.run_key_command(cfg.api_key_cmd, 15000)
    if key then
      health.ok('API key from api_key_cmd')
    else
      health.error(err or 'api_key_cmd failed')
    end
    return key ~= nil
  end
  local wanted = '$' .. table.concat(own, ' and $')
  local advice = pair and ('export ' .. table.concat(own, '=... ') .. '=...')
    or ('export %s=... or set api_key_cmd = { "pass", "show", "%s" }'):format(own[1], name)
  health.warn(('no API key for %s: %s and $%s are unset%s'):format(
    name,
    wanted,
    table.concat(generic, ' and $'),
    pair and '' or ', no api_key_cmd'
  ), { advice, 'the server may still find one in ~/.config/fim-lsp/config.toml' })
  return false
end

--- Open a TCP connection to the endpoint's host and port (no request, no key sent).
---@param url string
---@return boolean ok, string detail
local function tcp_reachable(url)
  local scheme, host, port = url:match('^(https?)://([^/:]+):?(%d*)')
  if not scheme then
    return false, 'not an http(s) URL: ' .. url
  end
  port = tonumber(port) or (scheme == 'https' and 443 or 80)
  local addresses = vim.uv.getaddrinfo(host, tostring(port), { socktype = 'stream' })
  if not addresses or #addresses == 0 then
    return false, ('cannot resolve %s'):format(host)
  end
  local done, ok, detail = false, false, ''
  local tcp = assert(vim.uv.new_tcp())
  tcp:connect(addresses[1].addr, port, function(err)
    done, ok, detail = true, err == nil, err or ''
  end)
  vim.wait(5000, function()
    return done
  end, 20)
  if not tcp:is_closing() then
    tcp:close()
  end
  if not done then
    return false, 'timed out after 5 s'
  end
  return ok, detail
end

---@param cfg fim_lsp.Config
---@param name string the configured provider
---@param facts fim_lsp.ProviderFacts
---@return boolean reachable
local function check_endpoint(cfg, name, facts)
  local url = cfg.settings.baseUrl or facts.baseUrl
  if not url then
    health.info("endpoint not checked: no baseUrl set, and the server's registry is unreadable")
    return false
  elseif url == '' then
    health.error(name .. ' has no endpoint of its own', {
      'set it: setup({ settings = { baseUrl = ... } })',
    })
    return false
  end
  local ok, detail = tcp_reachable(url)
  if ok then
    health.ok('endpoint reachable: ' .. url)
    return true
  else
    health.error(('endpoint not reachable: %s (%s)'):format(url, detail), {
      'check baseUrl in setup({ settings = { baseUrl = ... } }) and your network or proxy',
    })
    return false
  end
end

local function check_clients()
  local clients = server.clients()
  if #clients == 0 then
    health.info('no fim-lsp server running now (it starts with a buffer of a chosen filetype)')
  end
  for _, client in ipairs(clients) do
    health.ok(('server running (client %d, positions in %s)'):format(client.id, client.offset_encoding))
  end
end

function M.check()
  health.start('fim-lsp')
  if vim.fn.has('nvim-0.10') == 0 then
    health.error('Neovim 0.10 or newer is needed')
    return
  end
  local v = vim.version()
  local drawn_by = compat.has_native_inline_completion() and 'built-in vim.lsp.inline_completion'
    or 'fim-lsp ghost text'
  health.ok(('Neovim %d.%d.%d: suggestions drawn by %s'):format(v.major, v.minor, v.patch, drawn_by))

  local cfg = config.current
  if cfg then
    health.ok('setup() called')
  else
    health.warn('setup() not called; checking the defaults', { 'require("fim_lsp").setup({})' })
    cfg = assert(config.resolve({}))
  end
  local python = check_server(server.command(cfg))
  local known = providers(python)
  local name = cfg.settings.provider or 'dashscope'
  local facts = known[name]
  if not facts then
    local names = vim.tbl_keys(known)
    table.sort(names)
    health.error(('unknown provider %q'):format(name), { 'one of: ' .. table.concat(names, ', ') })
  else
    local has_key = check_key(cfg, name, facts)
    if check_endpoint(cfg, name, facts) and python and has_key then
      check_model(python, cfg)
    end
  end
  check_clients()
end

return M
