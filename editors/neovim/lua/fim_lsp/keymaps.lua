-- Insert-mode keys for the actions. A key whose action has nothing to act on (no suggestion
-- shown) does nothing when it is an Alt key (as copilot.vim's), and what it does without us
-- otherwise (a Tab mapped to accept still indents).
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

--- `<Plug>(fim-lsp-accept)` and the others, for mappings of your own: `:imap <C-j> <Plug>(fim-lsp-accept)`.
---@param actions table<fim_lsp.Action, fun(): boolean>
local function define_plugs(actions)
  for action, desc in pairs(DESCRIPTIONS) do
    local name = ('<Plug>(fim-lsp-%s)'):format(action:gsub('_', '-'))
    vim.keymap.set('i', name, function()
      actions[action]()
    end, { desc = desc })
  end
end

---@param keymaps fim_lsp.Keymaps
---@param actions table<fim_lsp.Action, fun(): boolean>
function M.apply(keymaps, actions)
  define_plugs(actions)
  for _, lhs in ipairs(mapped) do
    pcall(vim.keymap.del, 'i', lhs)
  end
  mapped = {}
  for action, lhs in pairs(keymaps) do
    if lhs then
      -- Only a key that does something of its own falls back to it: an Alt key arrives from a
      -- terminal as Esc + letter, and fed back it would type the letter into the code.
      local falls_back = not lhs:match('^<[MmAa]%-')
      vim.keymap.set('i', lhs, function()
        if not actions[action]() and falls_back then
          vim.api.nvim_feedkeys(vim.keycode(lhs), 'n', false)
        end
      end, { desc = DESCRIPTIONS[action] })
      table.insert(mapped, lhs)
    end
  end
end

return M
