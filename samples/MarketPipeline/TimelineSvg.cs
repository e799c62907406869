using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MarketPipeline;

/// <summary>
/// The demo's picture of what happened: one row per task and run, each helper call a bar from its
/// start to its end, coloured by how it was answered, on one time axis for both runs.
/// </summary>
internal static class TimelineSvg
{
    private const int Left = 150;
    private const int Right = 30;
    private const int Width = 960;
    private const int RowHeight = 16;
    private const int RowGap = 6;

    private static readonly (string Outcome, string Colour, string Label)[] Legend =
    {
        (TimelineRecorder.Computed, "#e4572e", "computed here (the API called)"),
        (TimelineRecorder.Waited, "#8e44ad", "waited for another process's computation"),
        (TimelineRecorder.Redis, "#2e86de", "read from Redis"),
        (TimelineRecorder.Local, "#27ae60", "answered in process (local layer)"),
        (TimelineRecorder.Fallback, "#7f8c8d", "local layer while Redis was down"),
        (TimelineRecorder.Direct, "#f39c12", "no cache: the API called"),
    };

    /// <summary>
    /// Writes the timeline of <paramref name="runs"/> (a name and its tasks' summaries) to
    /// <paramref name="path"/>: every run on one time axis, then the first run alone on an axis of
    /// its own, where its calls can be told apart.
    /// </summary>
    public static void Write(string path, IReadOnlyList<(string Name, IReadOnlyList<TaskSummary> Tasks)> runs)
    {
        var svg = new StringBuilder();
        var y = 24;
        var body = new StringBuilder();
        y = Panel(body, "Each task's helper calls, by how they were answered", runs, y);
        if (runs.Count > 1)
        {
            y = Panel(body, $"{runs[0].Name}, on a scale of its own", runs.Take(1).ToList(), y + 24);
        }

        y += 16;
        foreach (var (_, colour, label) in Legend)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{Left}" y="{y - 10}" width="12" height="12" fill="{colour}"/>""");
            body.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Left + 18}" y="{y}">{Escape(label)}</text>""");
            y += 18;
        }

        var height = y + 8;
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{height}" fill="#ffffff"/>""");
        svg.Append(body);
        svg.AppendLine("</svg>");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, svg.ToString());
    }

    /// <summary>One panel: a title, a time axis from 0 to the last call's end, and a row per task of each run; returns the y after it.</summary>
    private static int Panel(StringBuilder svg, string title, IReadOnlyList<(string Name, IReadOnlyList<TaskSummary> Tasks)> runs, int top)
    {
        var end = Math.Max(1, runs.SelectMany(r => r.Tasks).SelectMany(t => t.Timeline).Select(s => s.End).DefaultIfEmpty(1).Max());
        var scale = (Width - Left - Right) / end;
        var rows = runs.Sum(r => r.Tasks.Count);
        var axisTop = top + 22;
        var bottom = axisTop + (runs.Count * 28) + (rows * (RowHeight + RowGap));
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="10" y="{top}" font-size="14" font-weight="bold">{Escape(title)}</text>""");

        // The time axis: about ten ticks, at a round number of milliseconds or seconds.
        var step = new[] { 100.0, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000 }.First(s => end / s <= 12);
        for (var tick = 0.0; tick <= end; tick += step)
        {
            var x = Left + (tick * scale);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{F(x)}" y1="{axisTop}" x2="{F(x)}" y2="{bottom}" stroke="#e0e0e0"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{F(x)}" y="{axisTop - 4}" text-anchor="middle" fill="#555">{(step < 1_000 ? F(tick) + " ms" : F(tick / 1000) + " s")}</text>""");
        }

        var y = axisTop;
        foreach (var (name, tasks) in runs)
        {
            y += 18;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="10" y="{y}" font-weight="bold">{Escape(name)}</text>""");
            y += 10;
            foreach (var task in tasks.OrderBy(t => t.Task))
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="10" y="{y + 12}">task {task.Task}</text>""");
                foreach (var segment in task.Timeline)
                {
                    // The shortest calls (a local hit takes microseconds) are drawn a pixel wide, so that they show.
                    var width = Math.Max(1, (segment.End - segment.Start) * scale);
                    svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{F(Left + (segment.Start * scale))}" y="{y}" width="{F(width)}" height="{RowHeight}" fill="{Colour(segment.Outcome)}"><title>{Escape(segment.Outcome)}: {F(segment.Start)} to {F(segment.End)} ms</title></rect>""");
                }

                y += RowHeight + RowGap;
            }
        }

        return y;
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Colour(string outcome) => Legend.FirstOrDefault(l => l.Outcome == outcome).Colour ?? "#000000";

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
