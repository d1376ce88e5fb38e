-- Insert-mode keys for the actions. A key whose action has nothing to act on (no suggestion
-- shown) types what it would have typed without us, so mapping it costs nothing.
local M = {}

---@type string[] keys mapped by the last setup(), removed by the next one
local mapped = {}

local DESCRIPTIONS = {
  accept = 'fim-lsp: accept suggestion',
  accept_word = 'fim-lsp: accept next word',
  accept_line = 'fim-lsp: accept next line',
  dismiss = 'fim-lsp: dismiss suggestion',
  next = 'fim-lsp: next suggestion',
  prev = 'fim-lsp: previous suggestion',
  trigger = 'fim-lsp: ask for a suggestion now',
}

---@param keymaps fim_lsp.Keymaps
---@param actions table<fim_lsp.Action, fun(): boolean>
function M.apply(keymaps, actions)
  for _, lhs in ipairs(mapped) do
    pcall(vim.keymap.del, 'i', lhs)
  end
  mapped = {}
  for action, lhs in pairs(keymaps) do
    if lhs then
      vim.keymap.set('i', lhs, function()
        if not actions[action]() then
          vim.api.nvim_feedkeys(vim.keycode(lhs), 'n', false)
        end
      end, { desc = DESCRIPTIONS[action] })
      table.insert(mapped, lhs)
    end
  end
end

return M
