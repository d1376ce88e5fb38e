-- `:FimLsp status|toggle|stats|log`.
local compat = require('fim_lsp.compat')
local config = require('fim_lsp.config')
local server = require('fim_lsp.server')

local M = {}

---@param msg string
---@param level? integer
local function say(msg, level)
  vim.notify('fim-lsp: ' .. msg, level or vim.log.levels.INFO)
end

local function status()
  if not config.current then
    say('not set up; call require("fim_lsp").setup()', vim.log.levels.WARN)
    return
  end
  local fim = require('fim_lsp')
  local lines = {
    ('suggestions %s, drawn by %s'):format(
      fim.is_enabled() and 'on' or 'off',
      fim.mode() == 'native' and 'vim.lsp.inline_completion' or 'fim-lsp ghost text'
    ),
    'server: ' .. table.concat(server.command(config.current), ' '),
  }
  local clients = server.clients()
  if #clients == 0 then
    table.insert(lines, 'no server running (open a file of a configured filetype)')
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_keys(client.attached_buffers)
    table.sort(buffers)
    table.insert(lines, ('client %d: %s, positions in %s, buffers %s'):format(
      client.id,
      compat.is_stopped(client) and 'stopped' or 'running',
      client.offset_encoding,
      table.concat(buffers, ' ')
    ))
  end
  local failure = require('fim_lsp.status').failure
  if failure then
    table.insert(lines, 'last failure: ' .. failure.reason)
  end
  say(table.concat(lines, '\n'))
end

local function toggle()
  local enabled = require('fim_lsp').toggle()
  say('suggestions ' .. (enabled and 'on' or 'off'))
end

local function stats()
  local client = server.clients()[1]
  if not client then
    say('no server running', vim.log.levels.WARN)
    return
  end
  compat.request(client, 'workspace/executeCommand', { command = 'fim-lsp.stats', arguments = {} },
    function(err, result)
      if err then
        say('stats failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      else
        say('stats ' .. vim.json.encode(result or vim.empty_dict()))
      end
    end, vim.api.nvim_get_current_buf())
end

-- The server logs to stderr, which Neovim's LSP client writes to its log file.
local function log()
  vim.cmd('split ' .. vim.fn.fnameescape(vim.lsp.get_log_path()))
  vim.cmd('normal! G')
end

---@type table<string, fun()>
M.subcommands = { status = status, toggle = toggle, stats = stats, log = log }

---@param args { fargs: string[] }
function M.run(args)
  local name = args.fargs[1] or 'status'
  local fn = M.subcommands[name]
  if not fn then
    say(('unknown subcommand %q (status, toggle, stats, log)'):format(name), vim.log.levels.ERROR)
    return
  end
  fn()
end

--- Define `:FimLsp` (from plugin/, and again from setup() for setups that add the plugin to
--- 'runtimepath' after startup, when plugin/ files are no longer sourced).
function M.define()
  vim.api.nvim_create_user_command('FimLsp', M.run, {
    nargs = '?',
    desc = 'fim-lsp: status, toggle, stats, log',
    complete = function(arglead)
      return M.complete(arglead)
    end,
  })
end

---@param arglead string
---@return string[]
function M.complete(arglead)
  local names = vim.tbl_keys(M.subcommands)
  table.sort(names)
  return vim.tbl_filter(function(name)
    return vim.startswith(name, arglead)
  end, names)
end

return M
