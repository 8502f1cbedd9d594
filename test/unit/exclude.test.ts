// codellama.completion.exclude: which files never reach a prompt.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExcludeMatcher, fileName, globToRegExp } from "../../shared/src/exclude.js";
import { DEFAULT_EXCLUDE } from "../../shared/src/settings.js";

describe("globToRegExp", () => {
    const cases: [string, string[], string[]][] = [
        ["*.pem", ["server.pem", ".pem", "CERT.PEM"], ["server.pem.txt", "a/server.pem", "pem"]],
        [".env*", [".env", ".env.local", ".ENV.production"], ["x.env", "a/.env"]],
        ["id_rsa*", ["id_rsa", "id_rsa.pub"], ["my_id_rsa"]],
        ["secrets.*", ["secrets.json", "secrets.yaml"], ["secrets", "my-secrets.json"]],
        ["key?.txt", ["key1.txt"], ["key.txt", "key12.txt", "key/.txt"]],
        ["[ab]*.key", ["a.key", "b1.key"], ["c.key"]],
        ["[!ab]*.key", ["c.key"], ["a.key"]],
        ["*.{pem,key}", ["a.pem", "a.key"], ["a.p12"]],
        ["config/**/credentials.json", ["config/credentials.json", "config/a/b/credentials.json"], ["other/credentials.json", "config/credentials.json.bak"]],
        ["**/private/*", ["private/a", "x/y/private/a"], ["private/a/b", "privateer/a"]],
        ["deploy/**", ["deploy/a", "deploy/a/b.txt"], ["deploy", "a/deploy/b"]],
        ["a+b(1).$x", ["a+b(1).$x"], ["aab(1).$x", "a+b1.$x"]],
        ["[unclosed", ["[unclosed"], ["u"]],
    ];
    for (const [glob, matching, other] of cases) {
        it(glob, () => {
            const regexp = globToRegExp(glob);
            for (const text of matching) assert.ok(regexp.test(text), `${glob} should match ${text} (${regexp})`);
            for (const text of other) assert.ok(!regexp.test(text), `${glob} should not match ${text} (${regexp})`);
        });
    }
});

describe("ExcludeMatcher", () => {
    const defaults = new ExcludeMatcher(DEFAULT_EXCLUDE);

    it("the defaults catch keys, certificates and environment files, by file name wherever they are", () => {
        for (const uri of [
            "file:///w/.env",
            "file:///w/app/.env.local",
            "file:///home/u/.ssh/id_rsa",
            "file:///w/tls/server.pem",
            "file:///w/tls/server.key",
            "file:///w/cert.p12",
            "file:///w/secrets.json",
            "file:///w/Secrets.YAML",
            "file:///w/%2Eenv",
        ]) {
            assert.equal(defaults.matches(uri, uri.slice(uri.lastIndexOf("/") + 1)), true, uri);
        }
        for (const uri of ["file:///w/env.ts", "file:///w/keyboard.ts", "file:///w/secrets/notes.md", "file:///w/pem.js", "untitled:Untitled-1"]) {
            assert.equal(defaults.matches(uri, "src/x.ts"), false, uri);
        }
    });

    it("a pattern with a slash matches the path in the workspace", () => {
        const matcher = new ExcludeMatcher(["config/**/credentials.json", "./deploy/*.yaml", "/top.txt"]);
        assert.equal(matcher.matches("file:///w/config/prod/credentials.json", "config/prod/credentials.json"), true);
        assert.equal(matcher.matches("file:///w/other/credentials.json", "other/credentials.json"), false);
        assert.equal(matcher.matches("file:///w/deploy/prod.yaml", "deploy/prod.yaml"), true);
        assert.equal(matcher.matches("file:///w/top.txt", "top.txt"), true, "a leading slash: the top of the workspace folder");
        assert.equal(matcher.matches("file:///w/sub/top.txt", "sub/top.txt"), false);
        assert.equal(new ExcludeMatcher(["deploy/*.yaml"]).matches("file:///c:/w/deploy/x.yaml", "deploy\\x.yaml"), true, "Windows separators");
    });

    it("nothing is excluded by an empty list or blank patterns", () => {
        assert.equal(new ExcludeMatcher([]).matches("file:///w/.env", ".env"), false);
        assert.equal(new ExcludeMatcher(["", "  "]).matches("file:///w/.env", ".env"), false);
    });
});

describe("fileName", () => {
    it("is the decoded last segment of the URI's path", () => {
        assert.equal(fileName("file:///w/a%20b/.env.local"), ".env.local");
        assert.equal(fileName("file:///w/my%20key.pem?x=1#y"), "my key.pem");
        assert.equal(fileName("untitled:Untitled-1"), "Untitled-1");
        assert.equal(fileName("file:///w/bad%E0%A4%A.pem"), "bad%E0%A4%A.pem");
    });
});
