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
    public static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(200);
    public const int ConcurrentRequests = 4;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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
        "/sector-fund-flow" when query["sector_type"] == "industry" => SimulatedMarketData.IndustrySectors,
        "/concepts" => SimulatedMarketData.ConceptBoards,
        "/industry" when query["symbol"] is { } symbol => SimulatedMarketData.IndustryOf(symbol),
        "/history" when query["symbol"] is { } symbol && int.TryParse(query["days"], CultureInfo.InvariantCulture, out var days) => SimulatedMarketData.History(symbol, days),
        _ => null,
    };
}
