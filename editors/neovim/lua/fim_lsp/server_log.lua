-- Neovim files every line a language server writes to stderr under [ERROR], DEBUG included,
-- with a second timestamp. The server writes one `<time> <LEVEL> <logger>: <message>` line per
-- record (docs/CONTRACT.md, "Log lines"): file each at its own level, and let its failures
-- reach the status.
local status = require('fim_lsp.status')

local M = {}

local LEVELS = { DEBUG = 'debug', INFO = 'info', WARNING = 'warn', ERROR = 'error' }

---@type string? the executable of our server command, as Neovim names it in the log call
local executable = nil
local partial = ''

---@param line string
local function file(line)
  local log = require('vim.lsp.log')
  local level, logger, message = line:match('^%S+ %S+ (%u+) (%S+): (.*)$')
  local method = LEVELS[level]
  if not method then
    M.file_error('fim-lsp', line) -- a traceback or anything else: as Neovim would
    return
  end
  log[method]('fim-lsp', logger .. ': ' .. message)
  local reason = message:match('^completion failed: (.*)$')
  if reason then
    status.failed(reason, vim.log.levels.WARN)
  end
end

--- Route our server's stderr through `file` (other servers' lines are left alone).
---@param cmd string[] the server command
function M.install(cmd)
  executable = cmd[1]
  if M.file_error then
    return
  end
  local log = require('vim.lsp.log')
  M.file_error = log.error
  log.error = function(...)
    local source, name, kind, chunk = ...
    if source ~= 'rpc' or kind ~= 'stderr' or name ~= executable or type(chunk) ~= 'string' then
      return M.file_error(...)
    end
    local text = partial .. chunk
    partial = text:match('[^\n]*$')
    for line in text:sub(1, #text - #partial):gmatch('[^\n]+') do
      file(line)
    end
  end
end

return M
