-- Only `:FimLsp` is defined at startup; the rest loads with setup().
if vim.g.loaded_fim_lsp then
  return
end
vim.g.loaded_fim_lsp = true

if vim.fn.has('nvim-0.10') == 0 then
  vim.api.nvim_echo({ { 'fim-lsp needs Neovim 0.10 or newer', 'WarningMsg' } }, true, {})
  return
end

require('fim_lsp.commands').define()
