// Real headless Neovim (Debian's `neovim`, 0.7) running editors/neovim/ against the real server
// (dist/server.js) and the tiny scripted model:
//   node --import tsx --test test/editors/neovim.test.ts

// Needs `nvim` (bash scripts/setup-test-env.sh installs it) and `npm run build`. Without nvim the
// tests are skipped, except under CI=true or CODELLAMA_E2E_REQUIRE=1, where that is an error.
//
// Each test writes a Lua driver as Neovim's init file (`nvim --headless --clean -u driver.lua`,
// with its own HOME, XDG directories and TMPDIR). The driver loads the plugin, opens a JavaScript
// file, drives completions, chat and explain the way a user would (keys, Ex commands) and writes
// what came back to a JSON file, which the test checks. Neovim and the server it started are
// killed by pid at the end if they are still running. CODELLAMA_NVIM_DEBUG=1 prints the results.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { waitForExit } from "../../tools/process.js";
import { DEFAULT_SCRIPTS, ensureTinyModel, FIM_ANSWER, FIM_TRIGGERS, INSTRUCT_CHAT_ANSWER, SPACE } from "../../tools/tinyCodellama/index.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER_JS = path.join(REPO_ROOT, "dist", "server.js");
const PLUGIN_DIR = path.join(REPO_ROOT, "editors", "neovim");
const SOURCE = "function add(a, b) {\n    \n}\n";
const SESSION_TIMEOUT_MS = 120_000;
const MULTILINE_ANSWER = "a += b;\n    return a";

function findNvim(): { path: string; version: string } | undefined {
    for (const candidate of [process.env.CODELLAMA_NVIM, "nvim"].filter((c): c is string => !!c)) {
        try {
            const out = execFileSync(candidate, ["--version"], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] });
            const version = /NVIM v(\d+\.\d+\.\d+)/.exec(out)?.[1];
            if (version) return { path: candidate, version };
        } catch {
            // not this one
        }
    }
    return undefined;
}

function skipReason(): string | false {
    const required = process.env.CI === "true" || process.env.CODELLAMA_E2E_REQUIRE === "1";
    const nvim = findNvim();
    let missing: string | false = false;
    if (!nvim) missing = "nvim not found (Debian package `neovim`; bash scripts/setup-test-env.sh installs it)";
    else if (!/^(0\.([7-9]|\d\d+)|[1-9])/.test(nvim.version)) missing = `nvim ${nvim.version} is older than 0.7`;
    if (missing && required) throw new Error(missing);
    return missing;
}

/** The Lua driver: the plugin under test, a coroutine of steps and the results file. */
const DRIVER = `
local cfg = vim.json.decode(io.open(vim.env.CODELLAMA_NVIM_TEST, "r"):read("*a"))
local results = { steps = {}, notifications = {}, nvim_version = tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch }
local function save()
  local file = assert(io.open(cfg.results .. ".tmp", "w"))
  file:write(vim.json.encode(results))
  file:close()
  os.rename(cfg.results .. ".tmp", cfg.results)
end
local function step(name) table.insert(results.steps, name); save() end

vim.opt.runtimepath:prepend(cfg.plugin)
vim.opt.swapfile = false
vim.lsp.set_log_level("debug")
results.lsp_log = vim.lsp.get_log_path()
-- Every message the plugin or Neovim's handlers show.
vim.notify = function(message, level)
  table.insert(results.notifications, { message = message, level = level or vim.log.levels.INFO })
  save()
end
if cfg.answer_download then
  -- Neovim's own handler answers the download question with inputlist(); the keys a user would
  -- type are queued just before it reads them.
  local default = vim.lsp.handlers["window/showMessageRequest"]
  vim.lsp.handlers["window/showMessageRequest"] = function(err, params, ctx, config)
    results.question = params
    vim.api.nvim_feedkeys(cfg.answer_download, "t", false)
    local answer = default(err, params, ctx, config)
    results.answer = answer
    save()
    return answer
  end
end

local co
local function finish()
  results.done = true
  save()
  vim.cmd("qa!")
end
local function resume()
  local ok, err = coroutine.resume(co)
  if not ok then
    results.error = debug.traceback(co, tostring(err))
    finish()
  elseif coroutine.status(co) == "dead" then
    finish()
  end
end
local function sleep(ms)
  vim.defer_fn(resume, ms)
  coroutine.yield()
end
local function wait_for(what, predicate, timeout)
  local deadline = vim.loop.hrtime() + (timeout or 60000) * 1e6
  while true do
    local ok, value = pcall(predicate)
    if ok and value then return value end
    if vim.loop.hrtime() > deadline then error("timed out waiting for " .. what) end
    sleep(20)
  end
end
-- Typed keys; mappings apply only with remap (the plugin's insert-mode key).
local function keys(text, remap) vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(text, true, false, true), remap and "m" or "n", false) end
-- Appends on line 2 with <C-x><C-o> (the buffer's 'omnifunc'), leaves insert mode; returns the buffer's lines.
local function omni_complete_line2(what)
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  keys("A<C-x><C-o>")
  wait_for(what, function() return vim.api.nvim_buf_get_lines(0, 1, 2, false)[1] ~= "    " end, 30000)
  keys("<Esc>")
  wait_for("normal mode", function() return vim.fn.mode() == "n" end, 5000)
  return vim.api.nvim_buf_get_lines(0, 0, -1, false)
end
-- The server's codellama/stats, or nil.
local function server_stats(client)
  local r = vim.lsp.buf_request_sync(0, "codellama/stats", nil, 5000)
  return r and r[client.id] and r[client.id].result
end

co = coroutine.create(function()
  local codellama = require("codellama")
  codellama.setup({ cmd = cfg.cmd, settings = cfg.settings, complete_keymap = cfg.complete_keymap })
  vim.cmd("edit " .. vim.fn.fnameescape(cfg.file))
  local client = wait_for("the client", codellama.client, 10000)
  results.pids = { nvim = vim.fn.getpid(), server = client.rpc.pid }
  step("started")

  if cfg.scenario == "download" then
    local status = wait_for("the download to fail", function()
      local s = codellama.status()
      return s and (s.error == "offline" or s.error == "download-failed") and s
    end, 60000)
    sleep(500) -- the server's window/showMessage for the same error comes right after
    results.status = status
    return
  end

  wait_for("the model", function() return (codellama.status() or {}).state == "ready" end, 60000)
  results.server_capabilities = client.server_capabilities

  if cfg.scenario == "multiline" then
    local original = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    -- <C-x><C-o>: Vim inserts the word on one line (NULs for line breaks); CompleteDone splits it.
    results.after_omnifunc = omni_complete_line2("the omnifunc completion")
    step("omnifunc")
    -- The insert-mode key of complete(): the textEdit itself, cursor after it.
    vim.api.nvim_buf_set_lines(0, 0, -1, false, original)
    vim.api.nvim_win_set_cursor(0, { 2, 0 })
    keys("A" .. cfg.complete_keymap, true)
    results.cursor_after_complete = wait_for("the inserted suggestion", function()
      return vim.api.nvim_buf_line_count(0) > #original and vim.fn.mode() == "i" and vim.api.nvim_win_get_cursor(0)
    end, 30000)
    keys("<Esc>")
    wait_for("normal mode", function() return vim.fn.mode() == "n" end, 5000)
    results.after_complete = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    step("complete")
    -- The plugin's own omnifunc (setup({ omnifunc = "codellama" })).
    vim.api.nvim_buf_set_lines(0, 0, -1, false, original)
    vim.bo.omnifunc = "v:lua.require'codellama'.omnifunc"
    results.after_plugin_omnifunc = omni_complete_line2("the plugin's omnifunc")
    results.stats = wait_for("three accepted suggestions", function()
      local stats = server_stats(client)
      return stats and stats.accepted >= 3 and { accepted = stats.accepted, requests = stats.requests }
    end, 10000)
    step("plugin omnifunc")
    return
  end
  results.omnifunc = vim.bo.omnifunc
  step("ready")

  -- 0. The cursor rests on line 2 (CursorHold): the plugin asks the server to warm its cache there.
  vim.api.nvim_win_set_cursor(0, { 2, 4 })
  vim.api.nvim_exec_autocmds("CursorHold", { buffer = 0 })
  sleep(1500)

  -- 1. The protocol: textDocument/completion at line 2, column 5.
  local responses = vim.lsp.buf_request_sync(0, "textDocument/completion", {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    position = { line = 1, character = 4 },
  }, 30000)
  results.completion = responses and responses[client.id] or { err = "no response" }
  local stats = server_stats(client)
  results.first_completion = stats and stats.recent[#stats.recent]
  step("completion")

  -- 2. Like a user: append on line 2, <C-x><C-o> (omnifunc), leave insert mode.
  results.after_omnifunc = omni_complete_line2("the omnifunc completion")
  -- CompleteDone sent the item's command (codellama.completionAccepted).
  results.stats = wait_for("the accepted command", function()
    local stats = server_stats(client)
    return stats and stats.accepted >= 1 and { accepted = stats.accepted, requests = stats.requests }
  end, 10000)
  step("omnifunc")

  -- 3. :CodeLlamaChat (workspace/executeCommand codellama.lsp.chat) into the chat buffer.
  codellama.last_answer = nil
  vim.cmd("CodeLlamaChat What does add do?")
  results.chat = wait_for("the chat answer", function() return codellama.last_answer end)
  results.current_buffer_after_chat = vim.api.nvim_buf_get_name(0)
  step("chat")

  -- 4. The streamed variant (codellama/chat with a partialResultToken).
  codellama.last_answer = nil
  local deltas = {}
  codellama.chat("Stream the answer", { stream = true, on_delta = function(delta) table.insert(deltas, delta) end })
  results.stream = wait_for("the streamed answer", function() return codellama.last_answer end)
  results.deltas = deltas
  step("stream")

  -- 5. Visual selection of the whole function, then :CodeLlamaExplain (the range is typed for us).
  codellama.last_answer = nil
  keys("ggVG:CodeLlamaExplain<CR>")
  results.explain = wait_for("the explanation", function() return codellama.last_answer end)
  step("explain")

  local chat_buf = vim.fn.bufnr("codellama://chat")
  results.chat_buffer = {
    lines = vim.api.nvim_buf_get_lines(chat_buf, 0, -1, false),
    buftype = vim.api.nvim_buf_get_option(chat_buf, "buftype"),
    filetype = vim.api.nvim_buf_get_option(chat_buf, "filetype"),
    shown = vim.fn.bufwinid(chat_buf) ~= -1,
    attached = vim.lsp.buf_is_attached(chat_buf, client.id),
  }

  -- 6. :CodeLlamaStatus (the codellama/status request), shown with vim.notify.
  local before = #results.notifications
  vim.cmd("CodeLlamaStatus")
  wait_for("the status message", function() return #results.notifications > before end, 10000)
  results.status_message = results.notifications[before + 1]
  step("status")
end)
vim.schedule(resume)
`;

interface Session {
    results: Record<string, any>;
    stderr: string;
    elapsedMs: number;
}

/** Runs one headless Neovim session with the driver and returns what it wrote. */
async function runNeovim(options: {
    scenario: "main" | "download" | "multiline";
    settings: Record<string, unknown>;
    answerDownload?: string;
    completeKeymap?: string;
}): Promise<Session> {
    const nvim = findNvim()!;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-nvim-"));
    const dirs = {
        home: path.join(root, "home"),
        config: path.join(root, "home", ".config"),
        data: path.join(root, "home", ".local", "share"),
        state: path.join(root, "home", ".local", "state"),
        cache: path.join(root, "home", ".cache"),
        run: path.join(root, "run"),
        tmp: path.join(root, "tmp"),
        project: path.join(root, "project"),
    };
    for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dirs.project, "add.js");
    fs.writeFileSync(file, SOURCE);
    const resultsPath = path.join(root, "results.json");
    const configPath = path.join(root, "config.json");
    fs.writeFileSync(
        configPath,
        JSON.stringify({
            scenario: options.scenario,
            plugin: PLUGIN_DIR,
            cmd: [process.execPath, SERVER_JS, "--stdio"],
            settings: options.settings,
            file,
            results: resultsPath,
            answer_download: options.answerDownload,
            complete_keymap: options.completeKeymap,
        }),
    );
    const driver = path.join(root, "driver.lua");
    fs.writeFileSync(driver, DRIVER);

    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env)) if (/^(NVIM|VIM|MYVIMRC|VIMINIT|XDG_)/.test(name)) delete env[name];
    Object.assign(env, {
        HOME: dirs.home,
        XDG_CONFIG_HOME: dirs.config,
        XDG_DATA_HOME: dirs.data,
        XDG_STATE_HOME: dirs.state,
        XDG_CACHE_HOME: dirs.cache,
        XDG_RUNTIME_DIR: dirs.run,
        TMPDIR: dirs.tmp,
        NVIM_LOG_FILE: path.join(root, "nvim.log"),
        CODELLAMA_NVIM_TEST: configPath,
    });

    const started = Date.now();
    const child = spawn(nvim.path, ["--headless", "--clean", "-u", driver], { cwd: dirs.project, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const readResults = (): Record<string, any> => (fs.existsSync(resultsPath) ? JSON.parse(fs.readFileSync(resultsPath, "utf8")) : {});
    let results: Record<string, any> = {};
    try {
        const exited = await waitForExit(child, SESSION_TIMEOUT_MS);
        results = readResults();
        const serverPid: number | undefined = results.pids?.server;
        assert.ok(
            exited,
            `Neovim did not quit within ${SESSION_TIMEOUT_MS / 1000} s; steps done: ${JSON.stringify(results.steps)}\n${output.slice(-2000)}\n${lspLogTail(results)}`,
        );
        assert.equal(child.exitCode, 0, `Neovim exited with ${child.exitCode}\n${output.slice(-2000)}`);
        assert.equal(
            results.error,
            undefined,
            `the driver failed: ${results.error}\nsteps: ${JSON.stringify(results.steps)}\nnotifications: ${JSON.stringify(results.notifications)}\n${lspLogTail(results)}`,
        );
        assert.ok(results.done, `the driver did not finish: ${JSON.stringify(results.steps)}`);
        // Neovim stops the server when it quits (shutdown, exit; SIGTERM after exit_timeout).
        assert.ok(serverPid, "the driver recorded the server's pid");
        assert.ok(await waitUntilGone(serverPid, 10_000), `the server (pid ${serverPid}) is still running after Neovim quit`);
        if (process.env.CODELLAMA_NVIM_DEBUG) console.log(JSON.stringify(results, null, 1), output);
        return { results, stderr: output, elapsedMs: Date.now() - started };
    } finally {
        // No leftovers, whatever happened: Neovim and the server it started, by pid.
        if (child.exitCode === null && child.signalCode === null && child.pid) killPid(child.pid);
        const serverPid = readResults().pids?.server as number | undefined;
        if (serverPid && isRunning(serverPid)) killPid(serverPid);
        await waitForExit(child, 5_000);
        fs.rmSync(root, { recursive: true, force: true });
    }
}

function lspLogTail(results: Record<string, any>): string {
    try {
        return typeof results.lsp_log === "string" ? `lsp.log:\n${fs.readFileSync(results.lsp_log, "utf8").slice(-3000)}` : "";
    } catch {
        return "";
    }
}

/** Alive and not a zombie (an orphan whose exit nobody has reaped yet counts as gone). */
function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return false;
    }
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (isRunning(pid)) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
}

function killPid(pid: number): void {
    try {
        process.kill(pid, "SIGKILL");
    } catch {
        // already gone
    }
}

const ERROR = 4; // vim.log.levels.ERROR

describe("Neovim (editors/neovim) against the real server", { skip: skipReason() }, () => {
    it("completes, chats and explains: omnifunc, :CodeLlamaChat, streaming, :'<,'>CodeLlamaExplain, :CodeLlamaStatus", {
        timeout: SESSION_TIMEOUT_MS + 30_000,
    }, async () => {
        assert.ok(fs.existsSync(SERVER_JS), `${SERVER_JS} is missing: run npm run build`);
        const model = await ensureTinyModel();
        const { results, elapsedMs } = await runNeovim({
            scenario: "main",
            settings: { model: { path: model }, engine: { threads: 1, gpu: "off", contextSize: 1024 }, log: { level: "debug" } },
        });
        console.log(`neovim ${results.nvim_version}: session ${(elapsedMs / 1000).toFixed(1)} s`);

        // Neovim 0.7 has no inline completion, so the server offers completion items.
        assert.ok(results.server_capabilities.completionProvider, "completionProvider offered");
        assert.equal(results.omnifunc, "v:lua.vim.lsp.omnifunc");

        const items = Array.isArray(results.completion.result) ? results.completion.result : results.completion.result?.items;
        assert.equal(results.completion.err, undefined);
        assert.equal(items?.length, 1, JSON.stringify(results.completion));
        assert.equal(items[0].textEdit.newText, FIM_ANSWER);
        assert.deepEqual(items[0].textEdit.range, { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } });
        // The CursorHold warm-up had read the prompt into the cache: the first completion evaluated almost nothing.
        const first = results.first_completion;
        assert.ok(
            first && first.source === "model" && first.evaluatedTokens < first.promptTokens / 2,
            `first completion after the warm-up: ${JSON.stringify(first)}`,
        );

        assert.deepEqual(results.after_omnifunc, ["function add(a, b) {", `    ${FIM_ANSWER}`, "}"], "<C-x><C-o> inserted the suggestion");
        assert.ok(results.stats.accepted >= 1, "CompleteDone reported the accepted suggestion");

        assert.equal(results.chat.kind, "chat");
        assert.equal(results.chat.answer.content, INSTRUCT_CHAT_ANSWER);
        assert.equal(results.chat.answer.stopReason, "end-of-generation");
        assert.match(results.current_buffer_after_chat, /add\.js$/, "the cursor stays in the code window");

        assert.equal(results.stream.answer.content, INSTRUCT_CHAT_ANSWER);
        assert.ok(results.deltas.length > 1, `streamed in pieces: ${JSON.stringify(results.deltas)}`);
        assert.equal(results.deltas.join(""), INSTRUCT_CHAT_ANSWER);

        assert.equal(results.explain.kind, "explain");
        assert.equal(results.explain.answer.content, INSTRUCT_CHAT_ANSWER);
        assert.ok(results.explain.answer.usage.promptTokens > results.chat.answer.usage.promptTokens, "the explain prompt carries the code");

        const chatBuffer = results.chat_buffer;
        assert.deepEqual([chatBuffer.buftype, chatBuffer.filetype, chatBuffer.shown, chatBuffer.attached], ["nofile", "markdown", true, false]);
        const text = chatBuffer.lines.join("\n");
        assert.match(text, /^## What does add do\?$/m);
        assert.match(text, /^## Stream the answer$/m);
        assert.match(text, /^## Explain add\.js:1-3$/m);
        assert.equal(text.split(INSTRUCT_CHAT_ANSWER).length - 1, 3, text);

        assert.match(results.status_message.message, /^Code Llama: ready: /);
        assert.match(results.status_message.message, /; threads: 1 \(setting\)/);
        assert.deepEqual(
            results.notifications.filter((n: { level: number }) => n.level >= ERROR),
            [],
            "no errors shown",
        );
    });

    it("multi-line suggestions: <C-x><C-o> (both omnifuncs) and the complete() key insert every line", { timeout: SESSION_TIMEOUT_MS + 30_000 }, async () => {
        assert.ok(fs.existsSync(SERVER_JS), `${SERVER_JS} is missing: run npm run build`);
        // The same tiny model with a two-line infill answer.
        const model = await ensureTinyModel({
            name: "nvim-multiline",
            // Spelled so that no token repeats or is a trigger: "    return" as "▁▁" + byte " " + "▁return".
            scripts: [
                {
                    name: "fim",
                    after: FIM_TRIGGERS,
                    answer: MULTILINE_ANSWER,
                    end: "eot",
                    pieces: ["a", `${SPACE}+=`, `${SPACE}b`, ";", "<0x0A>", SPACE + SPACE, "<0x20>", `${SPACE}return`, `${SPACE}a`],
                },
                ...DEFAULT_SCRIPTS.filter((script) => script.name.startsWith("instruct")),
            ],
        });
        const { results } = await runNeovim({
            scenario: "multiline",
            settings: { model: { path: model }, engine: { threads: 1, gpu: "off", contextSize: 1024 } },
            completeKeymap: "<M-\\>",
        });
        const expected = ["function add(a, b) {", "    a += b;", "    return a", "}"];
        assert.deepEqual(results.after_omnifunc, expected, "CompleteDone turned the NULs Vim inserted into line breaks");
        assert.deepEqual(results.after_complete, expected);
        assert.deepEqual(results.cursor_after_complete, [3, "    return a".length], "the cursor ends after the suggestion");
        assert.deepEqual(results.after_plugin_omnifunc, expected, "require('codellama').omnifunc");
        assert.equal(results.stats.accepted, 3, "each accepted suggestion sent codellama.completionAccepted");
    });

    it("asks before downloading through Neovim's own window/showMessageRequest handler; the failure is shown once", {
        timeout: SESSION_TIMEOUT_MS + 30_000,
    }, async () => {
        assert.ok(fs.existsSync(SERVER_JS), `${SERVER_JS} is missing: run npm run build`);
        const { results } = await runNeovim({
            scenario: "download",
            // Nothing listens on 127.0.0.1:443 here, so the approved download fails at once.
            settings: { model: { uri: "https://127.0.0.1/codellama-missing.gguf" }, engine: { threads: 1, gpu: "off" } },
            answerDownload: "1\r",
        });
        assert.match(results.question.message, /not downloaded yet/);
        assert.deepEqual(results.question.actions, [{ title: "Download" }]);
        assert.deepEqual(results.answer, { title: "Download" }, "inputlist() picked action 1");
        assert.equal(results.status.error, "offline");
        const errors = results.notifications.filter((n: { level: number }) => n.level >= ERROR);
        assert.equal(errors.length, 1, `one error message, not one per channel: ${JSON.stringify(results.notifications)}`);
        assert.match(errors[0].message, /^Code Llama: Cannot download the model https:\/\/127\.0\.0\.1\/codellama-missing\.gguf: 127\.0\.0\.1 is unreachable/);
    });
});
