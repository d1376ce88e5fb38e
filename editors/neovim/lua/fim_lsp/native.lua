-- Neovim 0.12+: the built-in `vim.lsp.inline_completion` draws and accepts; we only enable
-- it for our client and map our keys onto its API. (Not exercised by the test suite, which
-- runs Neovim 0.11.)
local suggestion = require('fim_lsp.suggestion')

local M = {}

---@param client_id integer
function M.attach(_, client_id)
  vim.lsp.inline_completion.enable(M.enabled ~= false, { client_id = client_id })
end

---@param enabled boolean
function M.set_enabled(enabled)
  M.enabled = enabled
  for _, client in ipairs(vim.lsp.get_clients({ name = 'fim_lsp' })) do
    vim.lsp.inline_completion.enable(enabled, { client_id = client.id })
  end
end

--- Accept all of the shown item, or only its next word/line through `on_accept`.
---@param part 'all'|'word'|'line'
---@return boolean
function M.accept(part)
  if part == 'all' then
    return vim.lsp.inline_completion.get()
  end
  return vim.lsp.inline_completion.get({
    on_accept = function(item)
      local text = type(item.insert_text) == 'string' and item.insert_text
        or item.insert_text.value
      local pos = vim.api.nvim_win_get_cursor(0)
      local row, col = pos[1] - 1, pos[2]
      local line = vim.api.nvim_get_current_line()
      local start = item.range and item.range.start.col or col
      local typed = line:sub(start + 1, col)
      local ghost = text:sub(1, #typed) == typed and text:sub(#typed + 1) or text
      local piece = part == 'word' and suggestion.next_word(ghost) or suggestion.next_line(ghost)
      local lines = vim.split(piece, '\n', { plain = true })
      vim.api.nvim_buf_set_text(0, row, col, row, col, lines)
      vim.api.nvim_win_set_cursor(0, {
        row + #lines,
        (#lines == 1 and col or 0) + #lines[#lines],
      })
    end,
  })
end

---@param step integer
---@return boolean
function M.cycle(step)
  vim.lsp.inline_completion.select({ count = step })
  return true
end

-- 0.12 has no public "dismiss" or "request now"; leaving the keys to their defaults.
function M.dismiss()
  return false
end

function M.trigger()
  return false
end

return M
