-- Minimal Neovim config for the tests: only this plugin, nothing written outside the test dir.
local plugin = assert(os.getenv('FIM_LSP_NVIM_PLUGIN'), 'FIM_LSP_NVIM_PLUGIN is not set')
vim.opt.runtimepath:prepend(plugin)
vim.o.swapfile = false
vim.o.shadafile = 'NONE'
vim.o.more = false
vim.o.expandtab = true
vim.o.shiftwidth = 4
