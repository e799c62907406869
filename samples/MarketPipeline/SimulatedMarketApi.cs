using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace MarketPipeline;

/// <summary>
/// A stand-in for a public market-data endpoint, on loopback: slow, rate limited as public
/// endpoints are (a few requests at a time, the rest queue), and counting every request.
/// </summary>
internal sealed class SimulatedMarketApi : IDisposable
{
    public static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(500);
    public const int ConcurrentRequests = 2;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] IndustrySectors = { "BK0475", "BK0438", "BK1036", "BK0481", "BK0727" };
    private static readonly string[] ConceptBoards = { "BK0815", "BK0493", "BK1173", "BK0989", "BK1090" };

    private readonly HttpListener _listener = new();
    private readonly SemaphoreSlim _slots = new(ConcurrentRequests);
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly Task _serving;

    public SimulatedMarketApi()
    {
        Url = new Uri($"http://127.0.0.1:{LoopbackPort.Free().ToString(CultureInfo.InvariantCulture)}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Url { get; }

    public int TotalCalls => _calls.Values.Sum();

    /// <summary>Calls per request (path and query), that is per argument set.</summary>
    public IReadOnlyDictionary<string, int> CallsByRequest => new Dictionary<string, int>(_calls);

    public void ResetCounts() => _calls.Clear();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _serving.Wait();
        }
        catch (AggregateException)
        {
            // The listener was closed while waiting for a request: that is how serving ends.
        }

        _slots.Dispose();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        var request = context.Request.Url!;
        _calls.AddOrUpdate(request.PathAndQuery, 1, (_, count) => count + 1);
        await _slots.WaitAsync().ConfigureAwait(false);
        try
        {
            await Task.Delay(Latency).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }

        var answer = Answer(request.AbsolutePath, context.Request.QueryString);
        using var response = context.Response;
        response.StatusCode = answer is null ? 404 : 200;
        response.ContentType = "application/json";
        if (answer is not null)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(answer, Json);
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        }
    }

    private static object? Answer(string path, NameValueCollection query) => path switch
    {
        "/sector-fund-flow" when query["sector_type"] == "industry" => IndustrySectors,
        "/concepts" => ConceptBoards,
        "/history" when query["symbol"] is { } symbol && int.TryParse(query["days"], CultureInfo.InvariantCulture, out var days) => History(symbol, days),
        _ => null,
    };

    /// <summary>Made-up but stable closes: the same symbol and days always give the same bars.</summary>
    private static Bar[] History(string symbol, int days)
    {
        var seed = symbol.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)) & int.MaxValue;
        var start = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        return Enumerable.Range(0, days)
            .Select(i => new Bar(start.AddDays(i), 10m + ((seed % 90) + (((seed >> 3) + (i * 7)) % 13)) / 4m))
            .ToArray();
    }
}
