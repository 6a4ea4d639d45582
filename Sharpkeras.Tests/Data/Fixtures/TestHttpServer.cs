using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sharpkeras.Tests.Data.Fixtures;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (random port) for download tests. Each connection serves one request
/// through <see cref="Handler"/> and is closed. It stops when disposed; it never contacts anything else.
/// </summary>
public sealed class TestHttpServer : IDisposable
{
    public sealed record Request(string Path, string? Range);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private readonly List<Request> _requests = new();

    public TestHttpServer(Action<Request, Stream> handler)
    {
        Handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _loop = Task.Run(AcceptLoop);
    }

    public string BaseUrl { get; }

    public Action<Request, Stream> Handler { get; set; }

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_requests) return _requests.ToList();
        }
    }

    private async Task AcceptLoop()
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_cts.Token);
            }
            catch
            {
                return;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    private void Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                stream.ReadTimeout = 10_000;
                var head = new StringBuilder();
                var one = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16384)
                {
                    if (stream.Read(one, 0, 1) == 0) return;
                    head.Append((char)one[0]);
                }
                var lines = head.ToString().Split("\r\n");
                var path = lines[0].Split(' ')[1];
                string? range = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?[6..].Trim();
                var req = new Request(path, range);
                lock (_requests) _requests.Add(req);
                Handler(req, stream);
                stream.Flush();
            }
            catch (IOException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public static void WriteHeaders(Stream s, int status, string reason, long? contentLength, params string[] extra)
    {
        var sb = new StringBuilder($"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n");
        if (contentLength is long l) sb.Append($"Content-Length: {l}\r\n");
        foreach (var e in extra) sb.Append(e).Append("\r\n");
        sb.Append("\r\n");
        var b = Encoding.ASCII.GetBytes(sb.ToString());
        s.Write(b, 0, b.Length);
    }

    /// <summary>200 with the whole body.</summary>
    public static void WriteOk(Stream s, byte[] body)
    {
        WriteHeaders(s, 200, "OK", body.Length);
        s.Write(body, 0, body.Length);
    }

    /// <summary>200 announcing the whole body but sending only <paramref name="sent"/> bytes, then closing.</summary>
    public static void WriteTruncated(Stream s, byte[] body, int sent)
    {
        WriteHeaders(s, 200, "OK", body.Length);
        s.Write(body, 0, sent);
    }

    public static void WriteNotFound(Stream s)
    {
        var b = Encoding.ASCII.GetBytes("not here");
        WriteHeaders(s, 404, "Not Found", b.Length);
        s.Write(b, 0, b.Length);
    }

    public void Dispose()
    {
        _cts.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(2000);
        }
        catch (AggregateException)
        {
        }
        _cts.Dispose();
    }
}
