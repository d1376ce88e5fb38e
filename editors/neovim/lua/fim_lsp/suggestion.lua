-- Pure text logic of one suggestion: where it applies, what is left to show after the user
-- typed on, and how much a partial accept takes. No extmarks, no LSP calls: easy to test.
local compat = require('fim_lsp.compat')

local M = {}

---@class fim_lsp.Suggestion
---@field row integer        0-based line the suggestion applies to
---@field start integer      byte column where `text` starts replacing
---@field text string        text replacing the line from `start` to the end of its range
---@field prefix string      line text before `start` when the suggestion was made
---@field after string       line text after the range, kept as it is
---@field command? lsp.Command  run once the whole suggestion is accepted
---@field client_id integer

---@class fim_lsp.View
---@field ghost string       what accepting would insert at the cursor
---@field replace_end integer byte column up to which the line after the cursor is replaced
---@field tail string        the replaced text after the cursor (closing brackets)

--- Build a suggestion from an LSP InlineCompletionItem answered for the cursor at (row, col).
---@param item lsp.InlineCompletionItem
---@param line string  the cursor line at request time
---@param row integer  0-based
---@param col integer  0-based byte column of the cursor
---@param encoding string  the client's negotiated position encoding
---@param client_id integer
---@return fim_lsp.Suggestion?
function M.from_item(item, line, row, col, encoding, client_id)
  local text = item.insertText
  if type(text) == 'table' then
    text = text.value -- a snippet StringValue: shown and inserted as plain text
  end
  if type(text) ~= 'string' or text == '' then
    return nil
  end
  local start, finish = col, col
  if item.range then
    local range = item.range
    -- The contract keeps ranges on one line; anything else is not ours to apply.
    if range.start.line ~= row or range['end'].line ~= row then
      return nil
    end
    start = compat.byte_col(line, range.start.character, encoding)
    finish = compat.byte_col(line, range['end'].character, encoding)
  end
  if start > col or finish < col then
    return nil
  end
  return {
    row = row,
    start = start,
    text = text,
    prefix = line:sub(1, start),
    after = line:sub(finish + 1),
    command = item.command,
    client_id = client_id,
  }
end

--- What the suggestion still offers for the current line and cursor, or nil when the user
--- typed something else, moved away, or typed all of it.
---@param s fim_lsp.Suggestion
---@param line string
---@param row integer 0-based
---@param col integer 0-based byte column
---@return fim_lsp.View?
function M.view(s, line, row, col)
  if row ~= s.row or col < s.start or line:sub(1, s.start) ~= s.prefix then
    return nil
  end
  local replace_end = #line - #s.after
  if replace_end < col or line:sub(replace_end + 1) ~= s.after then
    return nil
  end
  local typed = line:sub(s.start + 1, col)
  if s.text:sub(1, #typed) ~= typed then
    return nil
  end
  local ghost = s.text:sub(#typed + 1)
  if ghost == '' then
    return nil
  end
  return { ghost = ghost, replace_end = replace_end, tail = line:sub(col + 1, replace_end) }
end

--- The next word of `ghost`: leading blanks plus a run of word characters or of other
--- non-blank characters. Bytes >= 0x80 never split, so multibyte text stays whole.
---@param ghost string
---@return string
function M.next_word(ghost)
  if ghost:sub(1, 1) == '\n' then
    return ghost:match('^\n[ \t]*')
  end
  return ghost:match('^[ \t]*[%w_]+') or ghost:match('^[ \t]*[^%w_%s]+') or ghost:match('^[ \t]+')
    or ghost
end

--- The rest of the current ghost line, or the next line when the ghost starts with one.
---@param ghost string
---@return string
function M.next_line(ghost)
  if ghost:sub(1, 1) == '\n' then
    return ghost:match('^\n[^\n]*')
  end
  return ghost:match('^[^\n]*')
end

--- How the ghost is drawn: the first line at the cursor, the rest as lines below, and the
--- replaced tail (")") that must not show twice. When the first line ends with the tail, that
--- part is already on screen; when a later line brings it, the tail on the cursor line is
--- hidden, so the screen shows what accepting will make.
---@param view fim_lsp.View
---@return string inline, string[] below, string hidden
function M.layout(view)
  local lines = vim.split(view.ghost, '\n', { plain = true })
  local inline = table.remove(lines, 1)
  if view.tail ~= '' and inline:sub(-#view.tail) == view.tail then
    return inline:sub(1, #inline - #view.tail), lines, ''
  end
  return inline, lines, #lines > 0 and view.tail or ''
end

return M
