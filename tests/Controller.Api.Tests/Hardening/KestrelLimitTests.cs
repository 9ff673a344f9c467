using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Hardening;

/// <summary>Limits enforced by Kestrel itself, on a real controller process: 413 for big bodies, 408 for slow ones.</summary>
public sealed class KestrelLimitTests
{
    private static ControllerProcess _process = null!;
    private static string _data = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _data = Path.Combine(Path.GetTempPath(), "controller-limits", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_data);
        _process = await ControllerProcess.StartAsync(ControllerProcess.FreePort(), _data,
            ["--Controller:MinRequestBodyBytesPerSecond=100", "--Controller:MinRequestBodyGraceSeconds=2"]);
    }

    [OneTimeTearDown]
    public void Stop() => _process.Dispose();

    [Test]
    public async Task TwoMebibyteBody_Returns413WithErrorBody()
    {
        using var client = new HttpClient { BaseAddress = _process.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControllerFactory.AdminToken);
        var big = "{\"name\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";

        var response = await client.PostAsync("/token", new StringContent(big, Encoding.UTF8, "application/json"));

        await response.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Test]
    public async Task XmlBody_Returns415()
    {
        using var client = new HttpClient { BaseAddress = _process.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControllerFactory.AdminToken);

        var response = await client.PostAsync("/token", new StringContent("<token/>", Encoding.UTF8, "application/xml"));

        await response.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Test]
    public async Task BodyTrickledSlowerThanTheMinimumRate_Returns408()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _process.Port);
        var stream = tcp.GetStream();
        var head = $"POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ControllerFactory.AdminToken}\r\n" +
                   "Content-Type: application/json\r\nContent-Length: 2000\r\n\r\n{\"kind\":\"registration\",";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var buffer = new byte[8192];
        var received = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            for (var i = 0; i < 40 && received.Length == 0; i++)
            {
                await Task.Delay(300, timeout.Token);
                await stream.WriteAsync(" "u8.ToArray(), timeout.Token);
                if (tcp.Available > 0)
                {
                    var n = await stream.ReadAsync(buffer, timeout.Token);
                    received.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        }
        catch (IOException)
        {
            // Kestrel may close the connection right after its answer.
        }

        if (received.Length == 0 && tcp.Connected)
        {
            try
            {
                var n = await stream.ReadAsync(buffer, timeout.Token);
                received.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            catch (IOException)
            {
            }
        }

        var text = received.ToString();
        Assert.That(text, Does.StartWith("HTTP/1.1 408"), text);
        Assert.That(text, Does.Contain("\"ErrorId\":\"request_timeout\""), text);
    }
}
