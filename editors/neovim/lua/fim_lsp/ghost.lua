-- The inline-completion client for Neovim 0.10/0.11, which have none built in: ask the server
-- as the user types, draw the answer as ghost text, apply it on accept.
local compat = require('fim_lsp.compat')
local status = require('fim_lsp.status')
local suggestion = require('fim_lsp.suggestion')

local M = {}

M.ns = vim.api.nvim_create_namespace('fim_lsp.ghost')

local api = vim.api
local TRIGGER_INVOKED = 1
local TRIGGER_AUTOMATIC = 2

---@class fim_lsp.BufState
---@field client_id integer
---@field augroup integer
---@field timer? uv.uv_timer_t
---@field pending? { client_id: integer, request_id: integer }
---@field items fim_lsp.Suggestion[]   alternatives of the last answer
---@field index integer                 the one shown
---@field view? fim_lsp.View            what is on screen
---@field tick integer                  changedtick when `view` was drawn or last asked for
---@field cursor integer[]              cursor (row, col) `view` or the last request is for

---@type table<integer, fim_lsp.BufState>
local states = {}

--- Options read on every event, so `:FimLsp toggle` and a second setup() apply at once.
M.options = { enabled = true, debounce_ms = 50 }

---@return integer row 0-based, integer col 0-based byte
local function cursor()
  local pos = api.nvim_win_get_cursor(0)
  return pos[1] - 1, pos[2]
end

---@param bufnr integer
---@param row integer
---@return string
local function get_line(bufnr, row)
  return api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
end

---@param state fim_lsp.BufState
local function stop_timer(state)
  if state.timer then
    state.timer:stop()
    state.timer:close()
    state.timer = nil
  end
end

---@param state fim_lsp.BufState
local function cancel_pending(state)
  local pending = state.pending
  state.pending = nil
  if pending then
    local client = vim.lsp.get_client_by_id(pending.client_id)
    if client then
      compat.cancel_request(client, pending.request_id)
    end
    status.changed()
  end
end

---@param bufnr integer
---@param state fim_lsp.BufState
local function hide(bufnr, state)
  state.view = nil
  if api.nvim_buf_is_valid(bufnr) then
    api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
end

--- Forget everything about this buffer's suggestion: nothing shown, nothing in flight.
---@param bufnr integer
local function reset(bufnr)
  local state = states[bufnr]
  if not state then
    return
  end
  stop_timer(state)
  cancel_pending(state)
  state.items = {}
  state.index = 0
  hide(bufnr, state)
end

--- Draw the current item for the cursor if it still applies; returns whether it does.
---@param bufnr integer
---@param state fim_lsp.BufState
---@return boolean
local function render(bufnr, state)
  local item = state.items[state.index]
  local row, col = cursor()
  local view = item and suggestion.view(item, get_line(bufnr, row), row, col)
  api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  state.view = view
  if not view then
    return false
  end
  local inline, below, hidden = suggestion.layout(view)
  local virt_lines = {}
  for _, text in ipairs(below) do
    table.insert(virt_lines, { { text, 'FimLspGhost' } })
  end
  -- 'replace', not 'combine': next to a bracket, matchparen's highlight would restyle it.
  api.nvim_buf_set_extmark(bufnr, M.ns, row, col, {
    virt_text = inline ~= '' and { { inline, 'FimLspGhost' } } or nil,
    virt_text_pos = 'inline',
    virt_lines = #virt_lines > 0 and virt_lines or nil,
    hl_mode = 'replace',
  })
  if hidden ~= '' then
    -- The replaced closers move to the end of the suggestion: blank them where they stand.
    api.nvim_buf_set_extmark(bufnr, M.ns, row, view.replace_end - #hidden, {
      virt_text = { { string.rep(' ', vim.fn.strdisplaywidth(hidden)), 'Normal' } },
      virt_text_pos = 'overlay',
      hl_mode = 'replace',
    })
  end
  state.tick = api.nvim_buf_get_changedtick(bufnr)
  state.cursor = { row, col }
  return true
end

---@param bufnr integer
---@param kind integer InlineCompletionTriggerKind
local function request(bufnr, kind)
  local state = states[bufnr]
  local client = state and vim.lsp.get_client_by_id(state.client_id)
  if not state or not client or not M.options.enabled then
    return
  end
  if bufnr ~= api.nvim_get_current_buf() or not api.nvim_get_mode().mode:match('^i') then
    return
  end
  cancel_pending(state)
  local row, col = cursor()
  local tick = api.nvim_buf_get_changedtick(bufnr)
  state.tick, state.cursor = tick, { row, col }
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.context = { triggerKind = kind }
  -- Declared first so the handler below sees this request's id, not a global.
  local ok, request_id
  ok, request_id = compat.request(
    client,
    'textDocument/inlineCompletion',
    params,
    function(err, result)
      if state.pending and state.pending.request_id == request_id then
        state.pending = nil
        status.changed()
      end
      -- Stale answers (the user typed or moved since) are dropped; a newer request is due.
      if err or not result or not api.nvim_buf_is_valid(bufnr) then
        return
      end
      if api.nvim_get_current_buf() ~= bufnr or api.nvim_buf_get_changedtick(bufnr) ~= tick then
        return
      end
      local now_row, now_col = cursor()
      if now_row ~= row or now_col ~= col or not api.nvim_get_mode().mode:match('^i') then
        return
      end
      local line = get_line(bufnr, row)
      local items = {}
      for _, raw in ipairs(result.items or result) do
        local s = suggestion.from_item(raw, line, row, col, client.offset_encoding, client.id)
        if s and suggestion.view(s, line, row, col) then
          table.insert(items, s)
        end
      end
      state.items = items
      state.index = #items > 0 and 1 or 0
      render(bufnr, state)
      if #items > 0 then
        status.succeeded()
      end
    end,
    bufnr
  )
  if ok and request_id then
    state.pending = { client_id = client.id, request_id = request_id }
    status.changed()
  end
end

---@param bufnr integer
local function schedule_request(bufnr)
  local state = states[bufnr]
  if not state or not M.options.enabled then
    return
  end
  stop_timer(state)
  cancel_pending(state)
  -- While the completion menu is open the user is choosing something else.
  if vim.fn.pumvisible() == 1 then
    return
  end
  local timer = assert(vim.uv.new_timer())
  state.timer = timer
  timer:start(M.options.debounce_ms, 0, vim.schedule_wrap(function()
    if state.timer == timer then
      stop_timer(state)
      request(bufnr, TRIGGER_AUTOMATIC)
    end
  end))
end

--- Text changed in insert mode: keep showing the suggestion while the user types it out,
--- otherwise ask again.
---@param bufnr integer
local function on_text_changed(bufnr)
  local state = states[bufnr]
  if not state then
    return
  end
  if state.index > 0 and render(bufnr, state) then
    -- The user is typing what we suggested: the rest is still right, no new request.
    stop_timer(state)
    cancel_pending(state)
    return
  end
  reset(bufnr)
  schedule_request(bufnr)
end

--- The cursor moved without an edit (arrow keys, mouse): what was shown or asked for belongs
--- to the old place; ask for the new one.
---@param bufnr integer
local function on_cursor_moved(bufnr)
  local state = states[bufnr]
  if not state then
    return
  end
  -- A text change also moves the cursor; TextChangedI (which follows) decides about that.
  if api.nvim_buf_get_changedtick(bufnr) ~= state.tick then
    return
  end
  local row, col = cursor()
  if row ~= state.cursor[1] or col ~= state.cursor[2] then
    reset(bufnr)
    state.cursor = { row, col }
    schedule_request(bufnr)
  end
end

--- Start the ghost-text client for `bufnr` served by `client_id`.
---@param bufnr integer
---@param client_id integer
function M.attach(bufnr, client_id)
  if states[bufnr] then
    states[bufnr].client_id = client_id
    return
  end
  status.changed() -- a statusline component now has something to say here
  local augroup = api.nvim_create_augroup('fim_lsp.ghost.' .. bufnr, { clear = true })
  states[bufnr] = {
    client_id = client_id,
    augroup = augroup,
    items = {},
    index = 0,
    tick = -1,
    cursor = { -1, -1 },
  }
  -- TextChangedP: the user changes the text through the completion menu (<C-n>).
  api.nvim_create_autocmd({ 'TextChangedI', 'TextChangedP' }, {
    group = augroup,
    buffer = bufnr,
    callback = function()
      on_text_changed(bufnr)
    end,
  })
  -- The menu closed on what the user picked: now a suggestion can help again.
  api.nvim_create_autocmd('CompleteDone', {
    group = augroup,
    buffer = bufnr,
    callback = function()
      vim.schedule(function()
        if vim.fn.pumvisible() == 0 and states[bufnr] and not states[bufnr].view then
          schedule_request(bufnr)
        end
      end)
    end,
  })
  api.nvim_create_autocmd('CursorMovedI', {
    group = augroup,
    buffer = bufnr,
    callback = function()
      on_cursor_moved(bufnr)
    end,
  })
  -- Entering insert mode (`o` on a new line, say) is the moment a suggestion helps most.
  api.nvim_create_autocmd('InsertEnter', {
    group = augroup,
    buffer = bufnr,
    callback = function()
      schedule_request(bufnr)
    end,
  })
  api.nvim_create_autocmd({ 'InsertLeave', 'BufLeave' }, {
    group = augroup,
    buffer = bufnr,
    callback = function()
      reset(bufnr)
    end,
  })
  api.nvim_create_autocmd('BufWipeout', {
    group = augroup,
    buffer = bufnr,
    callback = function()
      M.detach(bufnr)
    end,
  })
end

---@param bufnr integer
function M.detach(bufnr)
  local state = states[bufnr]
  if not state then
    return
  end
  reset(bufnr)
  pcall(api.nvim_del_augroup_by_id, state.augroup)
  states[bufnr] = nil
end

---@param enabled boolean
function M.set_enabled(enabled)
  M.options.enabled = enabled
  if not enabled then
    for bufnr in pairs(states) do
      reset(bufnr)
    end
  end
end

--- Insert `text` at the cursor replacing up to byte `replace_end`, as its own undo step.
---@param bufnr integer
---@param text string
---@param replace_end integer
local function insert_at_cursor(bufnr, text, replace_end)
  local row, col = cursor()
  local lines = vim.split(text, '\n', { plain = true })
  -- Close the undo block of the typing so far: `u` takes back just the accepted text.
  vim.o.undolevels = vim.o.undolevels
  api.nvim_buf_set_text(bufnr, row, col, row, replace_end, lines)
  local end_row = row + #lines - 1
  local end_col = (#lines == 1 and col or 0) + #lines[#lines]
  api.nvim_win_set_cursor(0, { end_row + 1, end_col })
end

---@param state fim_lsp.BufState
---@param item fim_lsp.Suggestion
local function run_command(state, item)
  local client = vim.lsp.get_client_by_id(item.client_id)
  if client and item.command then
    compat.request(client, 'workspace/executeCommand', {
      command = item.command.command,
      arguments = item.command.arguments,
    }, function() end, api.nvim_get_current_buf())
  end
  state.items = {}
  state.index = 0
end

--- Tell the server how much of the item was taken: it counts partial accepts.
---@param bufnr integer
---@param item fim_lsp.Suggestion
---@param piece string
local function report_partial_accept(bufnr, item, piece)
  local client = vim.lsp.get_client_by_id(item.client_id)
  local argument = item.command and item.command.arguments and item.command.arguments[1]
  if client and type(argument) == 'table' and argument.id then
    compat.notify(client, 'textDocument/didPartiallyAcceptCompletion', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      id = argument.id,
      acceptedLength = vim.fn.strchars(piece),
    })
  end
end

--- Accept the whole suggestion, or its next word or line.
---@param part 'all'|'word'|'line'
---@return boolean accepted false when no suggestion is shown
function M.accept(part)
  local bufnr = api.nvim_get_current_buf()
  local state = states[bufnr]
  if not state or not state.view or not render(bufnr, state) then
    return false
  end
  local view = assert(state.view)
  local item = state.items[state.index]
  local piece = view.ghost
  if part == 'word' then
    piece = suggestion.next_word(view.ghost)
  elseif part == 'line' then
    piece = suggestion.next_line(view.ghost)
  end
  stop_timer(state)
  cancel_pending(state)
  hide(bufnr, state)
  if piece == view.ghost then
    insert_at_cursor(bufnr, piece, view.replace_end)
    run_command(state, item)
    return true
  end
  insert_at_cursor(bufnr, piece, api.nvim_win_get_cursor(0)[2])
  report_partial_accept(bufnr, item, piece)
  -- The rest of the suggestion continues at the new cursor (maybe on a new line), with the
  -- replaced tail still right after it.
  local row, col = cursor()
  local line = get_line(bufnr, row)
  state.items = {
    {
      row = row,
      start = col,
      text = view.ghost:sub(#piece + 1),
      prefix = line:sub(1, col),
      after = line:sub(col + #view.tail + 1),
      command = item.command,
      client_id = item.client_id,
    },
  }
  state.index = 1
  render(bufnr, state)
  return true
end

--- Hide the suggestion until the next change.
---@return boolean dismissed
function M.dismiss()
  local bufnr = api.nvim_get_current_buf()
  local state = states[bufnr]
  local shown = state ~= nil and (state.view ~= nil or state.pending ~= nil or state.timer ~= nil)
  reset(bufnr)
  return shown
end

--- Show the next (`step` 1) or previous (-1) alternative of the last answer.
---@param step integer
---@return boolean moved
function M.cycle(step)
  local bufnr = api.nvim_get_current_buf()
  local state = states[bufnr]
  if not state or not state.view or #state.items == 0 then
    return false
  end
  state.index = (state.index - 1 + step) % #state.items + 1
  render(bufnr, state)
  return true
end

--- Ask now, without waiting for the debounce.
---@return boolean
function M.trigger()
  local bufnr = api.nvim_get_current_buf()
  local state = states[bufnr]
  if not state then
    return false
  end
  reset(bufnr)
  request(bufnr, TRIGGER_INVOKED)
  return true
end

--- The ghost text on screen in `bufnr` (for statuslines and tests), or nil.
---@param bufnr integer?
---@return string?
function M.visible(bufnr)
  local state = states[bufnr or api.nvim_get_current_buf()]
  return state and state.view and state.view.ghost or nil
end

--- What the client is doing in `bufnr`: waiting to ask, asking, or showing a suggestion.
---@param bufnr integer?
---@return { scheduled: boolean, pending: boolean, shown: boolean }
function M.status(bufnr)
  local state = states[bufnr or api.nvim_get_current_buf()]
  return {
    scheduled = state ~= nil and state.timer ~= nil,
    pending = state ~= nil and state.pending ~= nil,
    shown = state ~= nil and state.view ~= nil,
  }
end

---@param bufnr integer? default: the current buffer
---@return boolean
function M.attached(bufnr)
  return states[bufnr or api.nvim_get_current_buf()] ~= nil
end

return M
