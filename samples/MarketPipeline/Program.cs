using System;
using System.Globalization;
using MarketPipeline;

// Usage:
//   dotnet run --project samples/MarketPipeline -c Release                       8 tasks with AkCache, then 8 without it
//   dotnet run --project samples/MarketPipeline -c Release -- --tasks 3          fewer (or more) tasks
//   dotnet run --project samples/MarketPipeline -c Release -- --no-baseline      only the run with AkCache
//   dotnet run --project samples/MarketPipeline -c Release -- --timeline t.svg   where to draw every task's calls (default: timeline.svg next to the program)
//   MarketPipeline task <number> <api url>                                       one task (the runner starts these; it begins at a line on standard input)
// Redis: AKCACHE_REDIS_URL or REDIS_URL when set; else a redis-server started on a free loopback port (and stopped) when one is on PATH;
// else an embedded Garnet server.
// Exit code 0 when the run with AkCache called the API once per distinct argument set, AkCache's statistics account for every call,
// and every task's report equals the one computed directly from the API's data; 1 otherwise.
const string Usage = "usage: MarketPipeline [--tasks N] [--no-baseline] [--timeline FILE.svg]   (1 <= N <= 64, default 8; the timeline goes next to the program by default)";

if (args.Length == 3 && args[0] == "task")
{
    return await PipelineTask.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), new Uri(args[2]));
}

var tasks = 8;
var baseline = true;
var timeline = System.IO.Path.Combine(AppContext.BaseDirectory, "timeline.svg");
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--tasks" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out tasks) && tasks is >= 1 and <= 64:
            i++;
            break;
        case "--no-baseline":
            baseline = false;
            break;
        case "--timeline" when i + 1 < args.Length:
            timeline = System.IO.Path.GetFullPath(args[++i]);
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

return await Runner.RunAsync(tasks, baseline, timeline);
