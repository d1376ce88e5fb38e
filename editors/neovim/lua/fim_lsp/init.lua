-- Public API: setup() and the actions behind the keys (also for your own mappings, e.g. Tab).
local config = require('fim_lsp.config')
local compat = require('fim_lsp.compat')
local server = require('fim_lsp.server')

local M = {}

--- The client that draws suggestions: Neovim 0.12's own, or ours on 0.10/0.11.
---@return table
local function frontend()
  local use_native = config.current and config.current.native
  if use_native == 'auto' then
    use_native = compat.has_native_inline_completion()
  end
  if use_native and compat.has_native_inline_completion() then
    return require('fim_lsp.native')
  end
  return require('fim_lsp.ghost')
end

---@return 'native'|'ghost'
function M.mode()
  return frontend() == require('fim_lsp.ghost') and 'ghost' or 'native'
end

local augroup = vim.api.nvim_create_augroup('fim_lsp', { clear = true })

--- Grey and italic in every terminal: `Comment` has no colour without 'termguicolors' in many
--- colour schemes, and extra ghost lines would then look like real code. `default`: a colour
--- scheme's or the user's own FimLspGhost wins.
local function define_ghost_highlight()
  vim.api.nvim_set_hl(0, 'FimLspGhost', {
    fg = '#808080',
    ctermfg = 244,
    italic = true,
    cterm = { italic = true },
    default = true,
  })
end

---@param bufnr integer
---@param client vim.lsp.Client
local function attach(bufnr, client)
  if client.name == server.name then
    frontend().attach(bufnr, client.id)
  end
end

--- Everything but starting the server: options in force, keys, highlight, the autocmds that
--- attach the ghost text.
---@param resolved fim_lsp.Config
local function activate(resolved)
  config.current = resolved
  require('fim_lsp.commands').define()
  define_ghost_highlight()
  local ghost = require('fim_lsp.ghost')
  ghost.options.debounce_ms = resolved.debounce_ms
  frontend().set_enabled(resolved.enabled)
  require('fim_lsp.keymaps').apply(resolved.keymaps, {
    accept = M.accept,
    accept_word = M.accept_word,
    accept_line = M.accept_line,
    dismiss = M.dismiss,
    next = M.next,
    prev = M.prev,
    trigger = M.trigger,
  })

  vim.api.nvim_clear_autocmds({ group = augroup })
  -- `:colorscheme` clears highlight groups; keep a default for the ghost text.
  vim.api.nvim_create_autocmd('ColorScheme', { group = augroup, callback = define_ghost_highlight })
  vim.api.nvim_create_autocmd('LspAttach', {
    group = augroup,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client then
        attach(args.buf, client)
      end
    end,
  })
  vim.api.nvim_create_autocmd('LspDetach', {
    group = augroup,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client.name == server.name then
        ghost.detach(args.buf)
      end
    end,
  })
end

--- Configure and start fim-lsp. Returns false (and says why) when `opts` are invalid.
---@param opts? table see `:help fim_lsp-options`
---@return boolean
function M.setup(opts)
  local resolved, errors = config.resolve(opts)
  if not resolved then
    vim.notify(
      'fim-lsp: setup() options are invalid:\n  ' .. table.concat(errors, '\n  '),
      vim.log.levels.ERROR
    )
    return false
  end
  local again = config.current ~= nil
  activate(resolved)

  server.start(resolved)
  if again then
    server.push_settings(resolved)
    for _, client in ipairs(server.clients()) do
      for bufnr in pairs(client.attached_buffers) do
        attach(bufnr, client)
      end
    end
  end
  return true
end

--- `vim.lsp.enable('fim_lsp')` without setup() (lsp/fim_lsp.lua): the first client to attach
--- brings the default options, keys and ghost text. After a setup() it does nothing.
---@param client vim.lsp.Client
---@param bufnr integer
function M.on_attach(client, bufnr)
  if config.current then
    return
  end
  activate(assert(config.resolve({})))
  attach(bufnr, client)
end

--- Accept the whole suggestion. Returns false when none is shown, for fallbacks:
--- `vim.keymap.set('i', '<Tab>', function() if not require('fim_lsp').accept() then ... end end)`
---@return boolean
function M.accept()
  return frontend().accept('all')
end

---@return boolean
function M.accept_word()
  return frontend().accept('word')
end

---@return boolean
function M.accept_line()
  return frontend().accept('line')
end

---@return boolean
function M.dismiss()
  return frontend().dismiss()
end

---@return boolean
function M.next()
  return frontend().cycle(1)
end

---@return boolean
function M.prev()
  return frontend().cycle(-1)
end

---@return boolean
function M.trigger()
  return frontend().trigger()
end

--- For your statusline: `fim-lsp: ready`, `fetching`, `off` or `error: <reason>`.
---@return string
function M.statusline()
  return require('fim_lsp.status').line()
end

---@return boolean
function M.is_enabled()
  return config.current ~= nil and config.current.enabled
end

--- Turn suggestions on or off for this session; returns the new state.
---@param enabled? boolean default: the opposite of now
---@return boolean
function M.toggle(enabled)
  if not config.current then
    return false
  end
  if enabled == nil then
    enabled = not config.current.enabled
  end
  config.current.enabled = enabled
  frontend().set_enabled(enabled)
  return enabled
end

return M
