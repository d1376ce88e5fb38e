-- Options of `require("fim_lsp").setup(opts)`: defaults and validation, nothing else.
local M = {}

---@alias fim_lsp.Action 'accept'|'accept_word'|'accept_line'|'dismiss'|'next'|'prev'|'trigger'

---@class fim_lsp.Keymaps
---@field accept string|false
---@field accept_word string|false
---@field accept_line string|false
---@field dismiss string|false
---@field next string|false
---@field prev string|false
---@field trigger string|false

---@class fim_lsp.Config
---@field enabled boolean              start with completions on (`:FimLsp toggle` flips it)
---@field filetypes string[]|nil       filetypes to attach to; nil means every file buffer
---@field cmd string[]|nil             server command; nil finds `fim-lsp`, else `python3 -m fim_lsp`
---@field log_level string|nil         server `--log-level` (debug|info|warning|error)
---@field api_key_cmd string|string[]|nil  command that prints the API key (password manager)
---@field settings table<string, any>  server settings, camelCase, as in the server contract
---@field debounce_ms integer          0.10/0.11 ghost text: wait after a keystroke before asking
---@field native boolean|'auto'        use Neovim 0.12's vim.lsp.inline_completion when present
---@field keymaps fim_lsp.Keymaps      insert-mode keys; false disables one

-- Alt-keys like copilot.vim's: none of them is Tab, so indentation and completion
-- menus keep their keys; map Tab yourself with `require("fim_lsp").accept()`.
---@type fim_lsp.Config
M.defaults = {
  enabled = true,
  filetypes = nil,
  cmd = nil,
  log_level = nil,
  api_key_cmd = nil,
  settings = {},
  debounce_ms = 50,
  native = 'auto',
  keymaps = {
    accept = '<M-l>',
    accept_word = '<M-Right>',
    accept_line = '<M-Down>',
    dismiss = '<C-]>',
    next = '<M-]>',
    prev = '<M-[>',
    trigger = '<M-\\>',
  },
}

-- Every option name, including those whose default is nil.
local OPTIONS = {
  enabled = true,
  filetypes = true,
  cmd = true,
  log_level = true,
  api_key_cmd = true,
  settings = true,
  debounce_ms = true,
  native = true,
  keymaps = true,
}

local LOG_LEVELS = { debug = true, info = true, warning = true, error = true }

---@param value any
---@return boolean
local function is_string_list(value)
  if type(value) ~= 'table' then
    return false
  end
  for key, item in pairs(value) do
    if type(key) ~= 'number' or type(item) ~= 'string' then
      return false
    end
  end
  return true
end

---@param name string
---@param value any
---@param errors string[]
local function check_option(name, value, errors)
  local function bad(expected)
    table.insert(errors, ('%s must be %s, got %s'):format(name, expected, vim.inspect(value)))
  end
  if name == 'enabled' then
    if type(value) ~= 'boolean' then
      bad('true or false')
    end
  elseif name == 'filetypes' then
    if value ~= nil and not is_string_list(value) then
      bad('a list of filetypes')
    end
  elseif name == 'cmd' then
    if value ~= nil and (not is_string_list(value) or #value == 0) then
      bad('a non-empty list of strings')
    end
  elseif name == 'log_level' then
    if value ~= nil and not LOG_LEVELS[value] then
      bad('one of debug, info, warning, error')
    end
  elseif name == 'api_key_cmd' then
    if value ~= nil and type(value) ~= 'string' and not is_string_list(value) then
      bad('a shell command string or a list of strings')
    end
  elseif name == 'debounce_ms' then
    if type(value) ~= 'number' or value < 0 or value > 5000 or value % 1 ~= 0 then
      bad('an integer between 0 and 5000')
    end
  elseif name == 'native' then
    if value ~= 'auto' and type(value) ~= 'boolean' then
      bad('"auto", true or false')
    end
  elseif name == 'settings' then
    if type(value) ~= 'table' then
      bad('a table of server settings')
    elseif value.apiKey ~= nil or value.api_key ~= nil then
      -- A key in a config file ends up in dotfile repos; the server reads it from the
      -- environment, and api_key_cmd hands it over without the plugin keeping it.
      local variable = require('fim_lsp.server').provider_key_vars[value.provider or 'dashscope']
      table.insert(
        errors,
        ('settings.apiKey is not accepted: set $%s or use api_key_cmd'):format(
          variable or 'FIM_LSP_API_KEY'
        )
      )
    end
  elseif name == 'keymaps' then
    if type(value) ~= 'table' then
      bad('a table of keys')
      return
    end
    for action, lhs in pairs(value) do
      if M.defaults.keymaps[action] == nil then
        table.insert(errors, ('keymaps.%s is not an action (%s)'):format(
          tostring(action),
          table.concat(vim.tbl_keys(M.defaults.keymaps), ', ')
        ))
      elseif lhs ~= false and (type(lhs) ~= 'string' or lhs == '') then
        table.insert(
          errors,
          ('keymaps.%s must be a key like "<M-l>" or false, got %s'):format(action, vim.inspect(lhs))
        )
      end
    end
  end
end

--- Merge `opts` over the defaults and check every field.
---@param opts table?
---@return fim_lsp.Config? config, string[] errors
function M.resolve(opts)
  local errors = {}
  if opts ~= nil and type(opts) ~= 'table' then
    return nil, { 'setup() takes a table of options, got ' .. vim.inspect(opts) }
  end
  opts = opts or {}
  for name, value in pairs(opts) do
    if not OPTIONS[name] then
      table.insert(errors, ('unknown option %q'):format(tostring(name)))
    else
      check_option(name, value, errors)
    end
  end
  if #errors > 0 then
    table.sort(errors)
    return nil, errors
  end
  local config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  -- Lists replace the default instead of merging index by index.
  config.filetypes = opts.filetypes and vim.deepcopy(opts.filetypes) or nil
  config.cmd = opts.cmd and vim.deepcopy(opts.cmd) or nil
  return config, errors
end

---@type fim_lsp.Config?
M.current = nil

return M
