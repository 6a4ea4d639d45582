using System.Security.Cryptography;
using NUnit.Framework;
using Sharpkeras.Data;
using Sharpkeras.Tests.Data.Fixtures;

namespace Sharpkeras.Tests.Data;

/// <summary>Downloads against a real HTTP server on 127.0.0.1 started by each test.</summary>
public class GetFileTests
{
    private string _cache = "";
    private static readonly byte[] Payload = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31 % 251)).ToArray();
    private static readonly string PayloadSha = Convert.ToHexStringLower(SHA256.HashData(Payload));

    [SetUp]
    public void SetUp() => _cache = FileFixtures.TempDir("getfile");

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_cache)) Directory.Delete(_cache, true);
    }

    private string Folder => Path.Combine(_cache, "datasets");

    private void AssertNothingLeft(string fname)
    {
        Assert.That(File.Exists(Path.Combine(Folder, fname)), Is.False, "no file at the final path");
        Assert.That(Directory.Exists(Folder) ? Directory.GetFiles(Folder) : [], Is.Empty, "no partial file left");
    }

    [Test]
    public void DownloadsVerifiesAndCaches()
    {
        using var server = new TestHttpServer((_, s) => TestHttpServer.WriteOk(s, Payload));
        var path = Utils.GetFile("data.bin", server.BaseUrl + "/files/data.bin", PayloadSha, cacheDir: _cache);
        Assert.That(path, Is.EqualTo(Path.Combine(Folder, "data.bin")));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(Payload));
        Assert.That(Directory.GetFiles(Folder), Has.Length.EqualTo(1), "only the final file, no .part");
        // Cached with a matching hash: no second request.
        Assert.That(Utils.GetFile("data.bin", server.BaseUrl + "/files/data.bin", PayloadSha, cacheDir: _cache), Is.EqualTo(path));
        Assert.That(server.Requests.Count, Is.EqualTo(1));
        // fname defaults to the URL's last segment; MD5 hashes work too.
        var md5 = Convert.ToHexStringLower(MD5.HashData(Payload));
        var named = Utils.GetFile(null, server.BaseUrl + "/x/other.bin", md5, cacheDir: _cache);
        Assert.That(Path.GetFileName(named), Is.EqualTo("other.bin"));
    }

    [Test]
    public void FileAppearsOnlyWhenComplete()
    {
        using var halfSent = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var server = new TestHttpServer((_, s) =>
        {
            TestHttpServer.WriteHeaders(s, 200, "OK", Payload.Length);
            s.Write(Payload, 0, Payload.Length / 2);
            s.Flush();
            halfSent.Set();
            release.Wait(TimeSpan.FromSeconds(20));
            s.Write(Payload, Payload.Length / 2, Payload.Length - Payload.Length / 2);
        });
        var task = Task.Run(() => Utils.GetFile("slow.bin", server.BaseUrl + "/slow.bin", PayloadSha, cacheDir: _cache));
        Assert.That(halfSent.Wait(TimeSpan.FromSeconds(20)), Is.True);
        var part = Path.Combine(Folder, "slow.bin.part");
        for (int i = 0; i < 200 && !File.Exists(part); i++) Thread.Sleep(50);
        Assert.That(File.Exists(part), Is.True, "written to a temporary file in the same folder");
        Assert.That(File.Exists(Path.Combine(Folder, "slow.bin")), Is.False, "not visible while downloading");
        release.Set();
        Assert.That(task.Wait(TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(File.ReadAllBytes(task.Result), Is.EqualTo(Payload));
        Assert.That(File.Exists(Path.Combine(Folder, "slow.bin.part")), Is.False);
    }

    [Test]
    public void WrongHashThrowsAndLeavesNoFile()
    {
        using var server = new TestHttpServer((_, s) => TestHttpServer.WriteOk(s, Payload));
        string wrong = new('a', 64);
        var url = server.BaseUrl + "/data.bin";
        var ex = Assert.Throws<InvalidDataException>(() => Utils.GetFile("data.bin", url, wrong, cacheDir: _cache));
        Assert.That(ex!.Message, Does.Contain("data.bin").And.Contain(url).And.Contain(PayloadSha).And.Contain(Folder));
        AssertNothingLeft("data.bin");
    }

    [Test]
    public void TruncatedBodyThrowsAndLeavesNoPartialFile()
    {
        using var server = new TestHttpServer((_, s) => TestHttpServer.WriteTruncated(s, Payload, 50_000));
        var url = server.BaseUrl + "/cut.bin";
        var ex = Assert.Throws<IOException>(() => Utils.GetFile("cut.bin", url, cacheDir: _cache));
        Assert.That(ex!.Message, Does.Contain("cut.bin").And.Contain(url).And.Contain(Folder));
        Assert.That(server.Requests.Count, Is.EqualTo(3), "retried before giving up");
        Assert.That(server.Requests[1].Range, Is.EqualTo("bytes=50000-"), "the retry resumes where the transfer stopped");
        AssertNothingLeft("cut.bin");
    }

    [Test]
    public void InterruptedDownloadResumesWithARangeRequest()
    {
        using var server = new TestHttpServer((req, s) =>
        {
            if (req.Range is null)
            {
                TestHttpServer.WriteTruncated(s, Payload, 80_000);
                return;
            }
            long from = long.Parse(req.Range["bytes=".Length..].TrimEnd('-'));
            TestHttpServer.WriteHeaders(s, 206, "Partial Content", Payload.Length - from, $"Content-Range: bytes {from}-{Payload.Length - 1}/{Payload.Length}");
            s.Write(Payload, (int)from, Payload.Length - (int)from);
        });
        var path = Utils.GetFile("resume.bin", server.BaseUrl + "/resume.bin", PayloadSha, cacheDir: _cache);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(Payload));
        Assert.That(server.Requests.Select(r => r.Range), Is.EqualTo(new string?[] { null, "bytes=80000-" }));
    }

    [Test]
    public void NotFoundThrowsNamingTheUrl()
    {
        using var server = new TestHttpServer((_, s) => TestHttpServer.WriteNotFound(s));
        var url = server.BaseUrl + "/missing.bin";
        var ex = Assert.Throws<IOException>(() => Utils.GetFile("missing.bin", url, cacheDir: _cache));
        Assert.That(ex!.Message, Does.Contain(url).And.Contain("404").And.Contain("missing.bin").And.Contain(Folder));
        Assert.That(server.Requests.Count, Is.EqualTo(1), "a 404 is not retried");
        AssertNothingLeft("missing.bin");
    }

    [Test]
    public void CachedFileWithWrongHashIsDownloadedAgain()
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllBytes(Path.Combine(Folder, "data.bin"), [1, 2, 3]);
        using var server = new TestHttpServer((_, s) => TestHttpServer.WriteOk(s, Payload));
        var path = Utils.GetFile("data.bin", server.BaseUrl + "/data.bin", PayloadSha, cacheDir: _cache);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(Payload));
        Assert.That(server.Requests.Count, Is.EqualTo(1));
    }

    [Test]
    public void OfflineFailsAtOnceSayingWhereToPutTheFile()
    {
        bool before = Utils.Offline;
        Utils.Offline = true;
        try
        {
            const string url = "https://example.invalid/datasets/big.tar.gz";
            var ex = Assert.Throws<IOException>(() => Utils.GetFile("big.tar.gz", url, cacheDir: _cache));
            Assert.That(ex!.Message, Does.Contain("big.tar.gz").And.Contain(url).And.Contain(Folder));
            // Loopback servers (local mirrors, tests) stay reachable offline.
            using var server = new TestHttpServer((_, s) => TestHttpServer.WriteOk(s, Payload));
            Assert.That(File.ReadAllBytes(Utils.GetFile("ok.bin", server.BaseUrl + "/ok.bin", cacheDir: _cache)), Is.EqualTo(Payload));
        }
        finally
        {
            Utils.Offline = before;
        }
    }

    [Test]
    public void ExtractsATarGzArchive()
    {
        var archive = Path.Combine(_cache, "src.tar.gz");
        FileFixtures.WriteTarGz(archive, ("pack/a.txt", "alpha"u8.ToArray()), ("pack/sub/b.txt", "beta"u8.ToArray()));
        var bytes = File.ReadAllBytes(archive);
        using var server = new TestHttpServer((_, s) => TestHttpServer.WriteOk(s, bytes));
        var dir = Utils.GetFile("pack.tar.gz", server.BaseUrl + "/pack.tar.gz", cacheDir: _cache, extract: true);
        Assert.That(dir, Is.EqualTo(Path.Combine(Folder, "pack_extracted")));
        Assert.That(File.ReadAllText(Path.Combine(dir, "pack", "sub", "b.txt")), Is.EqualTo("beta"));
        Assert.That(File.Exists(Path.Combine(Folder, "pack.tar.gz")), Is.True);
    }

    [Test]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentException>(() => Utils.GetFile("a", "not a url", cacheDir: _cache));
        Assert.Throws<ArgumentException>(() => Utils.GetFile("a", "ftp://host/a", cacheDir: _cache));
        Assert.That(Assert.Throws<ArgumentException>(() => Utils.GetFile("a", "http://127.0.0.1/a", fileHash: "xyz", cacheDir: _cache))!.ParamName, Is.EqualTo("fileHash"));
        Assert.That(Assert.Throws<ArgumentException>(() => Utils.GetFile("dir/a", "http://127.0.0.1/a", cacheDir: _cache))!.ParamName, Is.EqualTo("fname"));
    }
}
