from fim_lsp.cli import main

main()
