-- What the user is told about the server: each failure once (it stays in `:messages`), the
-- last one kept for the statusline and `:FimLsp status` until a suggestion arrives again.
local M = {}

---@class fim_lsp.Failure
---@field reason string
---@field level integer vim.log.levels

---@type fim_lsp.Failure?
M.failure = nil

---@type table<string, true> reasons told since the last success
local told = {}

local function redraw()
  vim.schedule(function()
    vim.cmd('redrawstatus!')
  end)
end

--- A message wider than the command line stops the typing at a hit-enter prompt; the whole
--- reason stays in the statusline and `:FimLsp status`.
---@param text string
---@return string
local function one_line(text)
  text = text:gsub('\n', ' ')
  local room = vim.v.echospace
  if vim.fn.strdisplaywidth(text) <= room then
    return text
  end
  return vim.fn.strcharpart(text, 0, room - 1) .. '…'
end

--- The server logs a failure and then tells the user of it with a hint added: one cause.
---@param reason string
---@return boolean
local function was_told(reason)
  for said in pairs(told) do
    if vim.startswith(reason, said) or vim.startswith(said, reason) then
      return true
    end
  end
  return false
end

--- The server failed for `reason`: say so once, show it until the next success.
---@param reason string
---@param level integer vim.log.levels
function M.failed(reason, level)
  reason = reason:gsub('^fim%-lsp: ', '')
  M.failure = { reason = reason, level = level }
  if not was_told(reason) then
    told[reason] = true
    vim.schedule(function()
      vim.notify(one_line('fim-lsp: ' .. reason), level)
    end)
  end
  redraw()
end

--- A suggestion arrived: whatever failed works again, and a new failure is news again.
function M.succeeded()
  if M.failure or next(told) then
    M.failure = nil
    told = {}
    redraw()
  end
end

--- Something the statusline shows changed (a request started or ended).
M.changed = redraw

--- `window/showMessage` from our server: its errors and warnings are failures to keep.
---@param result lsp.ShowMessageParams
function M.on_show_message(_, result)
  local levels = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO }
  local level = levels[result.type] or vim.log.levels.INFO
  if level >= vim.log.levels.WARN then
    M.failed(result.message, level)
  else
    vim.notify(result.message, level)
  end
end

--- The statusline component: `fim-lsp: ready`, `fetching`, `off` or `error: <reason>`; empty
--- in buffers the server does not serve. `set statusline+=%{v:lua.require'fim_lsp'.statusline()}`
---@return string
function M.line()
  local bufnr = vim.api.nvim_get_current_buf()
  if #vim.lsp.get_clients({ bufnr = bufnr, name = 'fim_lsp' }) == 0 then
    return ''
  end
  local state = 'ready'
  if not require('fim_lsp').is_enabled() then
    state = 'off'
  elseif M.failure then
    -- Its first sentence: a statusline has room for the what, `:FimLsp status` has the rest.
    state = 'error: ' .. (M.failure.reason:match('^(.-)%.%s') or M.failure.reason)
  else
    local ghost = require('fim_lsp.ghost').status(bufnr)
    if ghost.pending then
      state = 'fetching'
    end
  end
  return 'fim-lsp: ' .. state
end

return M
