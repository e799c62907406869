using System;
using System.Diagnostics;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using AkCache;
using Smoke;

// Usage:
//   dotnet run --project samples/Smoke            runs two worker processes, one after the other, and shows the second reuse the first's results
//   dotnet run --project samples/Smoke -- worker  one worker: calls the memoized helpers and prints what it computed
// Redis: AKCACHE_REDIS_URL or REDIS_URL when set; otherwise an embedded Garnet server on a free loopback port.
if (args.Length > 0 && args[0] == "worker")
{
    return Worker.Run();
}

return Demo.Run();

internal static class Worker
{
    /// <summary>Prints one "result" line per call and a final "api-calls=N" line; the tests parse them.</summary>
    public static int Run()
    {
        var clock = Stopwatch.StartNew();
        var codes = MarketData.SectorCodes("SH");
        Console.WriteLine($"result SectorCodes(SH) = {string.Join(",", codes)}");
        var history = MarketData.History("600000", 5);
        Console.WriteLine($"result History(600000,5) = {string.Join(",", history.Select(b => b.Day.ToString("MM-dd", CultureInfo.InvariantCulture) + ":" + b.Close.ToString(CultureInfo.InvariantCulture)))}");
        var sector = MarketData.SectorOf("000001");
        Console.WriteLine($"result SectorOf(000001) = {sector ?? "null"}");
        var price = MarketData.LastPriceAsync("600000", default).GetAwaiter().GetResult();
        Console.WriteLine($"result LastPriceAsync(600000) = {price.ToString(CultureInfo.InvariantCulture)}");
        var repeated = MarketData.Repeat("BK", 3, log: null);
        Console.WriteLine($"result Repeat<string>(BK,3) = {string.Join(",", repeated)}");
        var days = TradingCalendar.TradingDays(2026, new HashSet<string> { "SZ", "SH" });
        Console.WriteLine($"result TradingDays(2026,{{SZ,SH}}) = {string.Join(",", days.OrderBy(d => d.Key).Select(d => d.Key + ":" + d.Value))}");
        Console.WriteLine($"api-calls={MarketData.ApiCalls + TradingCalendar.Calls} elapsed-ms={clock.ElapsedMilliseconds}");
        return 0;
    }
}

internal static class Demo
{
    public static int Run()
    {
        var url = Environment.GetEnvironmentVariable("AKCACHE_REDIS_URL") ?? Environment.GetEnvironmentVariable("REDIS_URL");
        Garnet.GarnetServer? embedded = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            var port = FreePort();
            var data = Directory.CreateTempSubdirectory("akcache-smoke-garnet-").FullName;
            embedded = new Garnet.GarnetServer(new[]
            {
                "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--memory", "64m", "--index", "1m",
                "-q", "--disable-console-logger", "--checkpointdir", Path.Combine(data, "checkpoints"),
            });
            System.Diagnostics.Trace.Listeners.Clear();
            embedded.Start();
            url = $"redis://127.0.0.1:{port}";
            Console.WriteLine($"No AKCACHE_REDIS_URL or REDIS_URL: started an embedded Garnet server at {url}.");
        }

        try
        {
            var prefix = "akcache-smoke-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            Console.WriteLine("Two worker processes call the same six [Memoize] helpers (100-300 ms each), one after the other.");
            Console.WriteLine();
            Console.WriteLine("process  api calls  time");
            for (var i = 1; i <= 2; i++)
            {
                var (apiCalls, elapsed) = RunWorker(url!, prefix);
                Console.WriteLine($"{i,7}  {apiCalls,9}  {elapsed,5} ms");
            }

            Console.WriteLine();
            Console.WriteLine("The second process computed nothing: it read the first one's results from Redis.");
            return 0;
        }
        finally
        {
            embedded?.Dispose();
        }
    }

    private static (string ApiCalls, string Elapsed) RunWorker(string url, string prefix)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, $"\"{typeof(Demo).Assembly.Location}\" worker")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.Arguments = "worker";
        }

        start.Environment["AKCACHE_REDIS_URL"] = url;
        start.Environment["AKCACHE_PREFIX"] = prefix;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var summary = output.Split('\n').Single(l => l.StartsWith("api-calls=", StringComparison.Ordinal)).Trim().Split(' ');
        return (summary[0].Split('=')[1], summary[1].Split('=')[1]);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
