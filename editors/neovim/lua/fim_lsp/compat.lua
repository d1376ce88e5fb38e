-- Version shims: the plugin runs on 0.10, 0.11 and 0.12+, whose LSP client APIs differ.
local M = {}

M.has_011 = vim.fn.has('nvim-0.11') == 1

--- Neovim 0.12+ ships `vim.lsp.inline_completion`; older versions get our own ghost text.
---@return boolean
function M.has_native_inline_completion()
  return vim.lsp.inline_completion ~= nil and vim.lsp.inline_completion.enable ~= nil
end

--- 0.11 calls client methods with `:`; 0.10 only has `.` (0.11 warns about `.`).
---@param client vim.lsp.Client
---@param method string
---@param params table?
---@param handler fun(err: lsp.ResponseError?, result: any, ctx: lsp.HandlerContext)
---@param bufnr integer
---@return boolean ok, integer? request_id
function M.request(client, method, params, handler, bufnr)
  if M.has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

---@param client vim.lsp.Client
---@param request_id integer
function M.cancel_request(client, request_id)
  if M.has_011 then
    client:cancel_request(request_id)
  else
    client.cancel_request(request_id)
  end
end

---@param client vim.lsp.Client
---@param method string
---@param params table?
function M.notify(client, method, params)
  if M.has_011 then
    client:notify(method, params)
  else
    client.notify(method, params)
  end
end

---@param client vim.lsp.Client
---@return boolean
function M.is_stopped(client)
  if M.has_011 then
    return client:is_stopped()
  end
  return client.is_stopped()
end

--- Byte column of an LSP `character` offset on `line` in the client's position encoding.
---@param line string
---@param character integer
---@param encoding string 'utf-8'|'utf-16'|'utf-32'
---@return integer
function M.byte_col(line, character, encoding)
  if encoding == 'utf-8' then
    return math.min(character, #line)
  end
  local ok, col
  if M.has_011 then
    ok, col = pcall(vim.str_byteindex, line, encoding, character, false)
  else
    if encoding == 'utf-32' then
      ok, col = pcall(vim.str_byteindex, line, character)
    else
      ok, col = pcall(vim.str_byteindex, line, character, true)
    end
  end
  return ok and col or #line
end

return M
