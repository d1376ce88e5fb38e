-- Starting the language server: its command, its settings, and the API key handed over
-- through the server's environment only.
local compat = require('fim_lsp.compat')
local server_log = require('fim_lsp.server_log')
local status = require('fim_lsp.status')

local M = {}

M.name = 'fim_lsp'

--- Where the server reads each provider's key from when FIM_LSP_API_KEY is not set (the
--- server's provider registry; tests/unit/test_registry.py holds the two equal).
M.provider_key_vars = {
  dashscope = 'DASHSCOPE_API_KEY',
  openai = 'OPENAI_API_KEY',
  qianfan = 'QIANFAN_AK',
  codestral = 'CODESTRAL_API_KEY',
  deepseek = 'DEEPSEEK_API_KEY',
}

-- Tests flip this to run the 0.10 `vim.lsp.start` path on 0.11.
M._use_lsp_config = compat.has_011 and vim.lsp.config ~= nil

--- The server command: the configured one, else `fim-lsp` on PATH, else `python3 -m fim_lsp`.
---@param config fim_lsp.Config
---@return string[]
function M.command(config)
  local cmd
  if config.cmd then
    cmd = vim.deepcopy(config.cmd)
  elseif vim.fn.executable('fim-lsp') == 1 then
    cmd = { 'fim-lsp' }
  else
    cmd = { vim.fn.executable('python3') == 1 and 'python3' or 'python', '-m', 'fim_lsp' }
  end
  if config.log_level then
    vim.list_extend(cmd, { '--log-level', config.log_level })
  end
  return cmd
end

---@param provider string? the configured provider (dashscope when not set)
---@return string? name of the first key variable set in Neovim's environment
function M.key_from_env(provider)
  for _, name in ipairs({ 'FIM_LSP_API_KEY', M.provider_key_vars[provider or 'dashscope'] }) do
    local value = vim.env[name]
    if value and value ~= '' then
      return name
    end
  end
end

--- Run `api_key_cmd` and return what it printed (trimmed), or nil and why not.
---@param api_key_cmd string|string[]
---@param timeout_ms integer?
---@return string? key, string? err
function M.run_key_command(api_key_cmd, timeout_ms)
  local argv = api_key_cmd
  if type(argv) == 'string' then
    argv = { vim.o.shell, vim.o.shellcmdflag, argv }
  end
  local ok, proc = pcall(vim.system, argv, { text = true })
  if not ok then
    return nil, 'api_key_cmd could not start: ' .. tostring(proc)
  end
  local result = proc:wait(timeout_ms or 30000)
  if result.code ~= 0 then
    local why = vim.trim(result.stderr or '')
    return nil, ('api_key_cmd exited with %d%s'):format(result.code, why ~= '' and (': ' .. why) or '')
  end
  local key = vim.trim(result.stdout or '')
  if key == '' then
    return nil, 'api_key_cmd printed nothing'
  end
  return key
end

--- Extra environment for the server process: the key from `api_key_cmd` when Neovim's own
--- environment has none. It lives only in the child's environment, never in the client's
--- settings (which `:checkhealth vim.lsp` prints).
---@param config fim_lsp.Config
---@return table<string, string>? env
local function key_env(config)
  if M.key_from_env((config.settings or {}).provider) or not config.api_key_cmd then
    return nil
  end
  local key, err = M.run_key_command(config.api_key_cmd)
  if not key then
    vim.notify('fim-lsp: ' .. err, vim.log.levels.WARN)
    return nil
  end
  return { FIM_LSP_API_KEY = key }
end

--- The settings as the server reads them: an empty table must go out as `{}`, not as the
--- JSON array `[]` that Neovim makes of it (the server refuses that as an unknown setting).
---@param config fim_lsp.Config
---@return table
local function wire_settings(config)
  return next(config.settings) and vim.deepcopy(config.settings) or vim.empty_dict()
end

--- The LSP client config shared by `vim.lsp.config` (0.11+) and `vim.lsp.start` (0.10).
---@param config fim_lsp.Config
---@return vim.lsp.ClientConfig
function M.client_config(config)
  local cmd = M.command(config)
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  -- 0.10/0.11 do not announce inline completion; our ghost text is the client for it.
  capabilities.textDocument.inlineCompletion = capabilities.textDocument.inlineCompletion
    or { dynamicRegistration = false }
  return {
    name = M.name,
    -- A function so the key command runs when the server starts, not at setup().
    cmd = function(dispatchers)
      server_log.install(cmd)
      return vim.lsp.rpc.start(cmd, dispatchers, { env = key_env(config) })
    end,
    -- Neovim's own handler shows a message for a moment, then `-- INSERT --` covers it.
    handlers = { ['window/showMessage'] = status.on_show_message },
    filetypes = config.filetypes,
    root_markers = { '.git' },
    capabilities = capabilities,
    init_options = wire_settings(config),
    settings = { fimLsp = wire_settings(config) },
  }
end

---@param bufnr integer
---@param config fim_lsp.Config
---@return boolean
local function wants_buffer(bufnr, config)
  if vim.bo[bufnr].buftype ~= '' then
    return false
  end
  local ft = vim.bo[bufnr].filetype
  if config.filetypes then
    return vim.tbl_contains(config.filetypes, ft)
  end
  return ft ~= ''
end

local augroup = vim.api.nvim_create_augroup('fim_lsp.server', { clear = true })

--- Start (or re-configure) the server for the configured filetypes.
---@param config fim_lsp.Config
function M.start(config)
  vim.api.nvim_clear_autocmds({ group = augroup })
  local client_config = M.client_config(config)
  if M._use_lsp_config then
    vim.lsp.config(M.name, client_config)
    vim.lsp.enable(M.name)
    return
  end
  local function start_for(bufnr)
    if wants_buffer(bufnr, config) then
      client_config.root_dir = vim.fs.root(bufnr, { '.git' })
      vim.lsp.start(vim.deepcopy(client_config), { bufnr = bufnr })
    end
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = augroup,
    callback = function(args)
      start_for(args.buf)
    end,
  })
  -- Buffers opened before a lazy-loaded setup() get the server too.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      start_for(bufnr)
    end
  end
end

---@return vim.lsp.Client[]
function M.clients(filter)
  return vim.lsp.get_clients(vim.tbl_extend('force', { name = M.name }, filter or {}))
end

--- Push new settings to running servers (after a second setup()).
---@param config fim_lsp.Config
function M.push_settings(config)
  for _, client in ipairs(M.clients()) do
    client.settings = { fimLsp = wire_settings(config) }
    compat.notify(client, 'workspace/didChangeConfiguration', { settings = client.settings })
  end
end

return M
