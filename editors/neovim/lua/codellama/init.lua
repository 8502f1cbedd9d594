-- Code Llama for Neovim (0.7+): the Code Llama language server through Neovim's built-in LSP client.
--
--   require("codellama").setup({
--     cmd = { "codellama", "serve", "--stdio" },          -- how to start the server
--     settings = { model = { path = vim.fn.expand("~/models/codellama-7b-instruct.Q4_K_M.gguf") } },
--     filetypes = nil,                                     -- nil: every file buffer with a filetype
--   })
--
-- Completions come as `textDocument/completion` items (Neovim 0.7 has no inline completion):
-- <C-x><C-o> through 'omnifunc' (set to v:lua.vim.lsp.omnifunc), nvim-cmp's LSP source, or
-- require("codellama").complete(), which inserts the suggestion at the cursor directly.
-- Commands: :CodeLlamaChat {question}, :[range]CodeLlamaExplain, :CodeLlamaStatus,
-- :CodeLlamaCancel, :CodeLlamaDownload, :CodeLlamaReload, :CodeLlamaRestart. See README.md.
local M = {}

local api = vim.api
local lsp = vim.lsp

local CHAT_COMMAND = "codellama.lsp.chat"
local EXPLAIN_COMMAND = "codellama.lsp.explain"
local ACCEPTED_COMMAND = "codellama.completionAccepted"
local NAME = "codellama"

-- Filetypes that are never code: the chat buffer itself is markdown but has buftype=nofile.
local EXCLUDED_FILETYPES = { "help", "qf", "netrw", "man", "lspinfo", "checkhealth", "TelescopePrompt", "NvimTree", "fugitive", "git" }

-- LSP language ids that differ from Neovim's filetype names (the server uses them in prompts).
local LANGUAGE_IDS = { sh = "shellscript", bash = "shellscript", zsh = "shellscript", cs = "csharp", objc = "objective-c", objcpp = "objective-cpp", text = "plaintext" }

local defaults = {
  -- How to start the server. nil: `node <checkout>/bin/codellama.js serve --stdio` when this
  -- plugin is used from a built checkout of the repository, else `codellama serve --stdio`.
  cmd = nil,
  cmd_env = nil,
  -- The `codellama` configuration (see the main README): sent as initializationOptions and
  -- answered to workspace/configuration. Change it at run time with set_settings().
  settings = {},
  -- nil: attach to every normal file buffer that has a filetype (except EXCLUDED_FILETYPES).
  filetypes = nil,
  -- Directory reported as the workspace folder; nil: the current directory when the server starts.
  root_dir = nil,
  -- 'omnifunc' of attached buffers (<C-x><C-o>): true = v:lua.vim.lsp.omnifunc (merges every
  -- attached server, but in Neovim 0.7 it drops suggestions that continue a word), "codellama" =
  -- require("codellama").omnifunc (Code Llama only, completes mid-word too), false = leave it.
  omnifunc = true,
  -- Extra client capabilities merged over Neovim's (e.g. require("cmp_nvim_lsp").default_capabilities()).
  capabilities = nil,
  -- Show server errors (codellama/status with health "error") with vim.notify.
  notify_errors = true,
  -- :CodeLlamaChat: stream the answer into the chat buffer as it is generated (the codellama/chat
  -- request) instead of showing it when complete (workspace/executeCommand codellama.lsp.chat).
  -- :CodeLlamaExplain always uses codellama.lsp.explain (the server's Explain prompt).
  stream = false,
  -- Ex command that opens the window of the chat buffer.
  chat_split = "botright split",
  -- Insert-mode key that inserts the suggestion at the cursor (require("codellama").complete()),
  -- e.g. "<M-\\>"; nil: no mapping.
  complete_keymap = nil,
  -- When the cursor rests ('updatetime', CursorHold/CursorHoldI), ask the server to read the code
  -- around it into the model's cache (codellama/warmCache), so the first suggestion there is fast.
  warm_cache = true,
  on_attach = nil,
  -- Milliseconds Neovim waits for the server to shut down when it quits.
  exit_timeout = 1000,
}

local config = vim.deepcopy(defaults)
local state = {
  client_id = nil,
  crashed = false,
  status = nil, -- the last codellama/status
  notified_error = nil, -- the last error message shown, so it is shown once
  chat = nil, -- { request_id, client_id } of the answer being generated
  streams = {}, -- partialResultToken -> function(value)
  next_token = 0,
  chat_buf = nil,
}

--- The last answer shown in the chat buffer: { kind = "chat" | "explain", answer = ChatAnswer }.
M.last_answer = nil

local function notify(message, level)
  vim.notify("Code Llama: " .. message, level or vim.log.levels.INFO)
end

local function plugin_root()
  local source = debug.getinfo(1, "S").source:gsub("^@", "")
  return vim.fn.fnamemodify(source, ":p:h:h:h") -- editors/neovim
end

local function default_cmd()
  local checkout = vim.loop.fs_realpath(plugin_root() .. "/../..") or ""
  local cli = checkout .. "/bin/codellama.js"
  if vim.fn.filereadable(cli) == 1 and vim.fn.filereadable(checkout .. "/dist/cli.js") == 1 and vim.fn.executable("node") == 1 then
    return { "node", cli, "serve", "--stdio" }
  end
  return { "codellama", "serve", "--stdio" }
end

-- Lua's {} encodes as a JSON array; the server wants an object.
local function as_object(value)
  if type(value) == "table" and vim.tbl_isempty(value) then
    return vim.empty_dict()
  end
  return value
end

local function language_id(_, filetype)
  return LANGUAGE_IDS[filetype] or filetype
end

--- The running client, or nil.
function M.client()
  return state.client_id and lsp.get_client_by_id(state.client_id) or nil
end

--- The last codellama/status the server sent ({ state, health, message, ... }), or nil.
function M.status()
  return state.status
end

--- A short status for statuslines, e.g. "Code Llama: ready".
function M.statusline()
  local status = state.status
  if not status then
    return M.client() and "Code Llama: starting" or ""
  end
  local text = status.state
  if status.progress and (status.state == "loading" or status.state == "downloading") then
    text = string.format("%s %d%%", text, math.floor(status.progress * 100))
  end
  if status.completing then
    text = text .. " (completing)"
  end
  return "Code Llama: " .. text
end

local function fire_status_event()
  pcall(api.nvim_exec_autocmds, "User", { pattern = "CodeLlamaStatus", modeline = false })
end

local function on_status(_, status)
  if type(status) ~= "table" then
    return
  end
  state.status = status
  if status.health == "error" then
    if config.notify_errors and status.message ~= state.notified_error then
      notify(status.message, vim.log.levels.ERROR)
    end
    state.notified_error = status.message
  elseif status.state == "ready" then
    if state.notified_error then
      notify(status.message)
    end
    state.notified_error = nil
  end
  fire_status_event()
end

-- ---------------------------------------------------------------------------------------- handlers

local handlers = {
  ["codellama/status"] = on_status,
  -- Errors already shown from codellama/status are not shown a second time.
  ["window/showMessage"] = function(err, result, ctx, cfg)
    local status = state.status
    if config.notify_errors and result and status and status.health == "error" and result.message == "Code Llama: " .. status.message then
      return vim.NIL
    end
    return lsp.handlers["window/showMessage"](err, result, ctx, cfg)
  end,
  -- The partial results of codellama/chat (streamed answers); other progress goes to Neovim's handler.
  ["$/progress"] = function(err, result, ctx, cfg)
    local stream = result and state.streams[result.token]
    if stream then
      stream(result.value)
      return vim.NIL
    end
    return lsp.handlers["$/progress"](err, result, ctx, cfg)
  end,
  -- window/showMessageRequest (the download question) and workspace/configuration keep Neovim's
  -- default handlers: a numbered inputlist() and client.config.settings.
}

-- ---------------------------------------------------------------------------------------- client

local function wants(bufnr)
  if not api.nvim_buf_is_valid(bufnr) or not api.nvim_buf_is_loaded(bufnr) then
    return false
  end
  if api.nvim_buf_get_option(bufnr, "buftype") ~= "" or api.nvim_buf_get_name(bufnr) == "" then
    return false
  end
  local filetype = api.nvim_buf_get_option(bufnr, "filetype")
  if filetype == "" then
    return false
  end
  if config.filetypes then
    return vim.tbl_contains(config.filetypes, filetype)
  end
  return not vim.tbl_contains(EXCLUDED_FILETYPES, filetype)
end

local function start()
  local client = M.client()
  if client then
    return client.id
  end
  local root = config.root_dir
  if type(root) == "function" then
    root = root()
  end
  root = vim.fn.fnamemodify(root or vim.fn.getcwd(), ":p"):gsub("/$", "")
  local capabilities = vim.tbl_deep_extend("force", lsp.protocol.make_client_capabilities(), config.capabilities or {}, {
    -- Neovim 0.7 answers workspace/configuration but does not say so; the server only asks
    -- clients that declare it.
    workspace = { configuration = true },
  })
  local id = lsp.start_client({
    name = NAME,
    cmd = config.cmd or default_cmd(),
    cmd_env = config.cmd_env,
    root_dir = root,
    capabilities = capabilities,
    init_options = as_object(config.settings),
    settings = { codellama = as_object(config.settings) },
    handlers = handlers,
    get_language_id = language_id,
    flags = { exit_timeout = config.exit_timeout },
    on_attach = function(client, bufnr)
      if config.on_attach then
        config.on_attach(client, bufnr)
      end
    end,
    on_exit = function(code, signal, client_id)
      if client_id ~= state.client_id then
        return
      end
      state.client_id = nil
      state.status = nil
      state.streams = {}
      state.chat = nil
      -- Stopped by the user or on quit: code 0 or SIGTERM. Anything else is a crash: no automatic
      -- restart (it would crash again on every BufEnter) until :CodeLlamaRestart.
      state.crashed = code ~= 0 or (signal ~= 0 and signal ~= 15)
      vim.schedule(function()
        fire_status_event()
        if state.crashed then
          notify(string.format("the server stopped (exit code %s, signal %s); :CodeLlamaRestart starts it again", code, signal), vim.log.levels.WARN)
        end
      end)
    end,
  })
  if not id then
    state.crashed = true
    return nil
  end
  state.client_id = id
  state.crashed = false
  return id
end

local function on_complete_done(bufnr)
  local done = vim.v.completed_item
  local data = type(done) == "table" and done.user_data
  local item = type(data) == "table" and data.nvim and data.nvim.lsp and data.nvim.lsp.completion_item
  if type(item) ~= "table" or not (item.command and item.command.command == ACCEPTED_COMMAND) then
    return
  end
  local word = (done.word or ""):gsub("%z", "\n")
  -- Vim inserts a multi-line completion word on one line, with NULs for the line breaks.
  local inserted = word:gsub("\n", "\0")
  local cursor = api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  local line = api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
  if #inserted == 0 or col < #inserted or line:sub(col - #inserted + 1, col) ~= inserted then
    return -- not inserted (completion cancelled)
  end
  if word:find("\n", 1, true) then
    local lines = vim.split(word, "\n", { plain = true })
    local start_col = col - #inserted
    local ok = pcall(api.nvim_buf_set_text, bufnr, row, start_col, row, col, lines)
    if ok then
      api.nvim_win_set_cursor(0, { row + #lines, #lines[#lines] })
    end
  end
  local client = M.client()
  if client then
    client.request("workspace/executeCommand", { command = item.command.command, arguments = item.command.arguments }, function() end, bufnr)
  end
end

local function attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  if not wants(bufnr) then
    return
  end
  if not M.client() and state.crashed then
    return
  end
  local id = start()
  if not id or lsp.buf_is_attached(bufnr, id) then
    return
  end
  lsp.buf_attach_client(bufnr, id)
  if config.omnifunc == "codellama" then
    api.nvim_buf_set_option(bufnr, "omnifunc", "v:lua.require'codellama'.omnifunc")
  elseif config.omnifunc then
    api.nvim_buf_set_option(bufnr, "omnifunc", "v:lua.vim.lsp.omnifunc")
  end
  local group = api.nvim_create_augroup("codellama", { clear = false })
  api.nvim_clear_autocmds({ group = group, buffer = bufnr })
  api.nvim_create_autocmd("CompleteDone", {
    group = group,
    buffer = bufnr,
    callback = function()
      on_complete_done(bufnr)
    end,
  })
  if config.warm_cache then
    api.nvim_create_autocmd({ "CursorHold", "CursorHoldI" }, {
      group = group,
      buffer = bufnr,
      callback = function()
        local client = M.client()
        if client and api.nvim_get_current_buf() == bufnr then
          client.notify("codellama/warmCache", lsp.util.make_position_params(0, client.offset_encoding))
        end
      end,
    })
  end
  if config.complete_keymap then
    vim.keymap.set("i", config.complete_keymap, M.complete, { buffer = bufnr, desc = "Code Llama: insert the suggestion" })
  end
end

-- ---------------------------------------------------------------------------------------- completion

--- Requests the suggestion at the cursor and inserts it (all its lines) at the cursor, without a
--- menu. For insert-mode mappings; <C-x><C-o> shows the same suggestion in the completion menu.
function M.complete()
  local client = M.client()
  local bufnr = api.nvim_get_current_buf()
  if not client or not lsp.buf_is_attached(bufnr, client.id) then
    notify("not running in this buffer", vim.log.levels.WARN)
    return
  end
  local win = api.nvim_get_current_win()
  local tick = api.nvim_buf_get_changedtick(bufnr)
  local cursor = api.nvim_win_get_cursor(win)
  local params = lsp.util.make_position_params(win, client.offset_encoding)
  client.request("textDocument/completion", params, function(err, result)
    if err then
      notify(tostring(err.message or err), vim.log.levels.WARN)
      return
    end
    -- Typing or moving on makes the suggestion stale.
    if api.nvim_buf_get_changedtick(bufnr) ~= tick or not api.nvim_win_is_valid(win) or not vim.deep_equal(api.nvim_win_get_cursor(win), cursor) then
      return
    end
    local item = lsp.util.extract_completion_items(result)[1]
    if not item or not item.textEdit then
      notify("no suggestion here")
      return
    end
    local edit = item.textEdit
    local lines = vim.split(edit.newText, "\n", { plain = true })
    local start = edit.range.start
    local line = api.nvim_buf_get_lines(bufnr, start.line, start.line + 1, false)[1] or ""
    local start_col = vim.str_byteindex(line, start.character, true)
    lsp.util.apply_text_edits({ edit }, bufnr, client.offset_encoding)
    local end_row = start.line + #lines
    local end_col = #lines == 1 and start_col + #lines[1] or #lines[#lines]
    api.nvim_win_set_cursor(win, { end_row, end_col })
    if item.command then
      client.request("workspace/executeCommand", { command = item.command.command, arguments = item.command.arguments }, function() end, bufnr)
    end
  end, bufnr)
end

--- An 'omnifunc' for Code Llama alone (setup({ omnifunc = "codellama" })): unlike
--- vim.lsp.omnifunc in Neovim 0.7, it starts the completion where the server's textEdit starts
--- (the cursor) and does not drop a suggestion that does not begin with the word before the cursor,
--- so it also completes in the middle of a word. vim.lsp.omnifunc merges every attached server.
function M.omnifunc(findstart, _)
  if findstart ~= 1 then
    return {}
  end
  local client = M.client()
  local bufnr = api.nvim_get_current_buf()
  if not client or not lsp.buf_is_attached(bufnr, client.id) then
    return -1
  end
  local params = lsp.util.make_position_params(0, client.offset_encoding)
  client.request("textDocument/completion", params, function(err, result)
    if err or not result or vim.fn.mode() ~= "i" then
      return
    end
    local row = api.nvim_win_get_cursor(0)[1] - 1
    local line = api.nvim_get_current_line()
    local start_col, matches = nil, {}
    for _, item in ipairs(lsp.util.extract_completion_items(result)) do
      local edit = item.textEdit
      if edit and edit.range.start.line == row then
        start_col = start_col or vim.str_byteindex(line, edit.range.start.character, true)
        local documentation = type(item.documentation) == "table" and item.documentation.value or item.documentation
        table.insert(matches, {
          word = edit.newText,
          abbr = item.label,
          menu = item.detail or "",
          info = documentation or "",
          icase = 1,
          dup = 1,
          empty = 1,
          user_data = { nvim = { lsp = { completion_item = item } } },
        })
      end
    end
    if start_col then
      vim.fn.complete(start_col + 1, matches)
    end
  end, bufnr)
  return -2 -- completion continues when the answer comes
end

-- ---------------------------------------------------------------------------------------- chat

local function chat_buffer()
  if state.chat_buf and api.nvim_buf_is_valid(state.chat_buf) then
    vim.fn.bufload(state.chat_buf) -- after :bdelete
    return state.chat_buf
  end
  local buf = api.nvim_create_buf(false, true) -- unlisted scratch buffer: buftype=nofile
  pcall(api.nvim_buf_set_name, buf, "codellama://chat")
  api.nvim_buf_set_option(buf, "bufhidden", "hide")
  api.nvim_buf_set_option(buf, "filetype", "markdown")
  state.chat_buf = buf
  return buf
end

--- The chat buffer (created when needed), shown in a split; the cursor stays where it is.
function M.show_chat()
  local buf = chat_buffer()
  if vim.fn.bufwinid(buf) == -1 then
    local current = api.nvim_get_current_win()
    vim.cmd(config.chat_split)
    api.nvim_win_set_buf(0, buf)
    api.nvim_set_current_win(current)
  end
  return buf
end

local function scroll_to_end(buf)
  local last = api.nvim_buf_line_count(buf)
  for _, win in ipairs(api.nvim_list_wins()) do
    if api.nvim_win_get_buf(win) == buf and win ~= api.nvim_get_current_win() then
      api.nvim_win_set_cursor(win, { last, 0 })
    end
  end
end

-- Appends "## title", a placeholder answer and a blank line; returns a function that replaces the
-- answer text (as long as later entries are not appended, which one answer at a time guarantees).
local function chat_entry(title)
  local buf = M.show_chat()
  local first = api.nvim_buf_line_count(buf)
  local empty = first == 1 and api.nvim_buf_get_lines(buf, 0, 1, false)[1] == ""
  local header = { "## " .. title, "" }
  if empty then
    api.nvim_buf_set_lines(buf, 0, -1, false, header)
    first = 0
  else
    table.insert(header, 1, "")
    api.nvim_buf_set_lines(buf, first, first, false, header)
  end
  local answer_row = api.nvim_buf_line_count(buf)
  api.nvim_buf_set_lines(buf, answer_row, answer_row, false, { "_…_" })
  return function(text)
    if not api.nvim_buf_is_valid(buf) then
      return
    end
    api.nvim_buf_set_lines(buf, answer_row, -1, false, vim.split(text, "\n", { plain = true }))
    scroll_to_end(buf)
  end
end

-- Sends one chat request (codellama/chat when streaming, else workspace/executeCommand) and shows
-- the answer. opts: stream, show (default true), callback(err, answer), bufnr.
local function ask(kind, title, command, arguments, messages, opts)
  opts = opts or {}
  local client = M.client()
  if not client then
    notify("the server is not running (open a file it attaches to, or :CodeLlamaRestart)", vim.log.levels.WARN)
    return
  end
  if state.chat then
    notify("an answer is still being generated (:CodeLlamaCancel stops it)", vim.log.levels.WARN)
    return
  end
  local stream = opts.stream
  if stream == nil then
    stream = config.stream
  end
  local show = opts.show ~= false and chat_entry(title) or function() end
  local method, params, token
  if stream then
    state.next_token = state.next_token + 1
    token = "codellama-chat-" .. state.next_token
    local text = ""
    state.streams[token] = function(value)
      if type(value) == "table" and type(value.delta) == "string" then
        text = text .. value.delta
        show(text)
        if opts.on_delta then
          opts.on_delta(value.delta)
        end
      end
    end
    method, params = "codellama/chat", { messages = messages, partialResultToken = token }
  else
    method, params = "workspace/executeCommand", { command = command, arguments = arguments }
  end
  local ok, request_id = client.request(method, params, function(err, answer)
    state.chat = nil
    if token then
      state.streams[token] = nil
    end
    if err then
      show("**Error:** " .. tostring(err.message or err))
      notify(tostring(err.message or err), vim.log.levels.ERROR)
    elseif type(answer) == "table" then
      M.last_answer = { kind = kind, answer = answer }
      local text = answer.content
      if answer.stopReason == "cancelled" then
        text = text .. "\n\n_(cancelled)_"
      elseif answer.stopReason == "max-tokens" then
        text = text .. "\n\n_(stopped at chat.maxTokens)_"
      end
      show(text)
    end
    if opts.callback then
      opts.callback(err, answer)
    end
  end, opts.bufnr)
  if ok then
    state.chat = { request_id = request_id, client_id = client.id }
  else
    if token then
      state.streams[token] = nil
    end
    show("**Error:** the server is not running")
  end
end

--- Asks Code Llama Instruct a question; the answer goes to the chat buffer.
--- opts: stream (default: setup's), show = false to skip the chat buffer, callback(err, answer).
function M.chat(question, opts)
  if type(question) ~= "string" or vim.trim(question) == "" then
    notify("usage: :CodeLlamaChat {question}", vim.log.levels.WARN)
    return
  end
  ask("chat", question:gsub("\n", " "), CHAT_COMMAND, { question }, { { role = "user", content = question } }, opts)
end

--- Explains lines (or a charwise selection) of a buffer; the answer goes to the chat buffer.
--- range: an LSP Range, or nil for the whole buffer. opts as for chat() (never streamed).
function M.explain(bufnr, range, opts)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local client = M.client()
  if not client or not lsp.buf_is_attached(bufnr, client.id) then
    notify("not running in this buffer", vim.log.levels.WARN)
    return
  end
  opts = vim.tbl_extend("force", { bufnr = bufnr }, opts or {})
  local name = vim.fn.fnamemodify(api.nvim_buf_get_name(bufnr), ":.")
  local title = range and string.format("Explain %s:%d-%d", name, range.start.line + 1, range["end"].line + 1) or ("Explain " .. name)
  -- Always workspace/executeCommand: the server's Explain prompt is only reachable there.
  opts.stream = false
  ask("explain", title, EXPLAIN_COMMAND, { { uri = vim.uri_from_bufnr(bufnr), range = range } }, nil, opts)
end

--- Stops the answer being generated; the server returns what it has so far.
function M.cancel()
  local chat = state.chat
  local client = chat and lsp.get_client_by_id(chat.client_id)
  if client then
    client.cancel_request(chat.request_id)
  end
end

-- The LSP range of lines line1..line2 (1-based), narrowed to the columns of the last visual
-- selection when it was charwise on exactly these lines.
local function command_range(bufnr, line1, line2)
  local first = api.nvim_buf_get_lines(bufnr, line1 - 1, line1, false)[1] or ""
  local last = api.nvim_buf_get_lines(bufnr, line2 - 1, line2, false)[1] or ""
  local start_byte, end_byte = 0, #last
  local mark_start, mark_end = api.nvim_buf_get_mark(bufnr, "<"), api.nvim_buf_get_mark(bufnr, ">")
  if vim.fn.visualmode() == "v" and mark_start[1] == line1 and mark_end[1] == line2 then
    start_byte = math.min(mark_start[2], #first)
    local end_char = vim.fn.strcharpart(last:sub(mark_end[2] + 1), 0, 1)
    end_byte = math.min(mark_end[2] + #end_char, #last)
  end
  local _, start_char = vim.str_utfindex(first, start_byte)
  local _, end_char = vim.str_utfindex(last, end_byte)
  return { start = { line = line1 - 1, character = start_char }, ["end"] = { line = line2 - 1, character = end_char } }
end

-- ---------------------------------------------------------------------------------------- requests

local function simple_request(method, describe)
  local client = M.client()
  if not client then
    notify(state.crashed and "the server is not running; :CodeLlamaRestart starts it again" or "the server is not running (open a file it attaches to)", vim.log.levels.WARN)
    return
  end
  client.request(method, nil, function(err, status)
    if err then
      notify(tostring(err.message or err), vim.log.levels.ERROR)
    elseif type(status) == "table" then
      on_status(nil, status)
      if describe then
        describe(status)
      end
    end
  end)
end

--- Asks the server for its status (codellama/status) and shows it.
function M.show_status()
  simple_request("codellama/status", function(status)
    local suffix = status.completing and " (completing)" or ""
    local threads = status.threads
    if type(threads) == "table" then
      local counts = threads.prompt == threads.generation and tostring(threads.prompt)
        or string.format("%d for prompts, %d for generation", threads.prompt, threads.generation)
      suffix = suffix .. string.format("; threads: %s (%s)", counts, threads.source)
    end
    if status.promptTokensPerSecond or status.generationTokensPerSecond then
      suffix = suffix .. string.format("; %s prompt / %s generation tokens/s", status.promptTokensPerSecond or "?", status.generationTokensPerSecond or "?")
    end
    notify(string.format("%s: %s%s", status.state, status.message, suffix), status.health == "error" and vim.log.levels.ERROR or vim.log.levels.INFO)
  end)
end

--- The user approves downloading `model.uri` (codellama/downloadModel).
function M.download()
  simple_request("codellama/downloadModel")
end

--- Loads the configured model again (codellama/reloadModel), e.g. after fixing the file.
function M.reload()
  simple_request("codellama/reloadModel")
end

--- Replaces the settings (deep-merged over the ones given to setup) and tells the server.
function M.set_settings(settings)
  config.settings = vim.tbl_deep_extend("force", config.settings or {}, settings or {})
  local client = M.client()
  if client then
    client.config.settings = { codellama = as_object(config.settings) }
    -- The server pulls the `codellama` section again (workspace/configuration).
    client.notify("workspace/didChangeConfiguration", { settings = { codellama = as_object(config.settings) } })
  end
end

--- Stops the server and starts it again for the open buffers.
function M.restart()
  local client = M.client()
  state.client_id = nil
  state.crashed = false
  state.status = nil
  state.chat = nil
  if client then
    client.stop()
  end
  for _, bufnr in ipairs(api.nvim_list_bufs()) do
    attach(bufnr)
  end
end

-- ---------------------------------------------------------------------------------------- setup

local function create_commands()
  api.nvim_create_user_command("CodeLlamaChat", function(args)
    M.chat(args.args)
  end, { nargs = "+", desc = "Code Llama: ask a question; the answer opens in a split" })
  api.nvim_create_user_command("CodeLlamaExplain", function(args)
    local bufnr = api.nvim_get_current_buf()
    M.explain(bufnr, args.range > 0 and command_range(bufnr, args.line1, args.line2) or nil)
  end, { range = true, desc = "Code Llama: explain the selected lines (the whole file without a range)" })
  api.nvim_create_user_command("CodeLlamaStatus", M.show_status, { desc = "Code Llama: the server's status" })
  api.nvim_create_user_command("CodeLlamaCancel", M.cancel, { desc = "Code Llama: stop the answer being generated" })
  api.nvim_create_user_command("CodeLlamaDownload", M.download, { desc = "Code Llama: download the default model" })
  api.nvim_create_user_command("CodeLlamaReload", M.reload, { desc = "Code Llama: load the model again" })
  api.nvim_create_user_command("CodeLlamaRestart", M.restart, { desc = "Code Llama: restart the server" })
end

--- Configures the plugin: starts the server for the first matching buffer and attaches to all of them.
function M.setup(opts)
  config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  -- Lists are replaced, not merged.
  if opts and opts.cmd then
    config.cmd = opts.cmd
  end
  if opts and opts.filetypes then
    config.filetypes = opts.filetypes
  end
  create_commands()
  if M.client() then
    M.set_settings({}) -- a second setup() changes the settings of the running server
  end
  local group = api.nvim_create_augroup("codellama", { clear = true })
  api.nvim_create_autocmd({ "FileType", "BufEnter" }, {
    group = group,
    callback = function(args)
      attach(args.buf)
    end,
  })
  for _, bufnr in ipairs(api.nvim_list_bufs()) do
    attach(bufnr)
  end
end

return M
