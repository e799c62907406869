using System;
using System.Collections.Generic;
using System.Text;

namespace AkCache.Tests.PublicApi;

/// <summary>A line diff for failure messages: "-" lines only in the expected text, "+" lines only in the actual one.</summary>
internal static class LineDiff
{
    private const int Context = 2;

    public static string Render(string expected, string actual)
    {
        var before = Lines(expected);
        var after = Lines(actual);

        // Longest common subsequence over lines; the approved files are a few hundred lines at most.
        var common = new int[before.Length + 1, after.Length + 1];
        for (var i = before.Length - 1; i >= 0; i--)
        {
            for (var j = after.Length - 1; j >= 0; j--)
            {
                common[i, j] = before[i] == after[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var edits = new List<(char Kind, string Line)>();
        int x = 0, y = 0;
        while (x < before.Length || y < after.Length)
        {
            if (x < before.Length && y < after.Length && before[x] == after[y])
            {
                edits.Add((' ', before[x++]));
                y++;
            }
            else if (y < after.Length && (x == before.Length || common[x, y + 1] >= common[x + 1, y]))
            {
                edits.Add(('+', after[y++]));
            }
            else
            {
                edits.Add(('-', before[x++]));
            }
        }

        var text = new StringBuilder();
        var lastShown = -1;
        for (var k = 0; k < edits.Count; k++)
        {
            var nearChange = false;
            for (var d = Math.Max(0, k - Context); d <= Math.Min(edits.Count - 1, k + Context) && !nearChange; d++)
            {
                nearChange = edits[d].Kind != ' ';
            }

            if (!nearChange)
            {
                continue;
            }

            if (lastShown >= 0 && k > lastShown + 1)
            {
                text.Append("  ...\n");
            }

            text.Append(edits[k].Kind).Append(' ').Append(edits[k].Line).Append('\n');
            lastShown = k;
        }

        return text.ToString();
    }

    private static string[] Lines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}
