-- `vim.lsp.enable('fim_lsp')` on Neovim 0.11+ with no setup() call: the server with the default
-- options (every file buffer; change anything with `vim.lsp.config('fim_lsp', {...})`). The
-- keys and the ghost text come with the first attach. setup() registers the same config.
local client_config = require('fim_lsp.server').client_config(assert(require('fim_lsp.config').resolve({})))
client_config.on_attach = function(client, bufnr)
  require('fim_lsp').on_attach(client, bufnr)
end
return client_config
