-- Only the command is defined at startup; everything else loads on setup() or first use.
if vim.g.loaded_fim_lsp then
  return
end
vim.g.loaded_fim_lsp = true

if vim.fn.has('nvim-0.10') == 0 then
  vim.api.nvim_echo({ { 'fim-lsp needs Neovim 0.10 or newer', 'WarningMsg' } }, true, {})
  return
end

vim.api.nvim_create_user_command('FimLsp', function(args)
  require('fim_lsp.commands').run(args)
end, {
  nargs = '?',
  desc = 'fim-lsp: status, toggle, stats, log',
  complete = function(arglead)
    return require('fim_lsp.commands').complete(arglead)
  end,
})
