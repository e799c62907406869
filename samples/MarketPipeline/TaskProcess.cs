using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;

namespace MarketPipeline;

/// <summary>One task of the pipeline as a child process of the runner: this same program in its "task" role.</summary>
internal sealed class TaskProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TaskSummary?> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _errors = new();

    private TaskProcess(int task, Process process)
    {
        Task = task;
        _process = process;
    }

    public int Task { get; }

    public int ProcessId => _process.Id;

    /// <summary>Completes when the task is started and waits for <see cref="Go"/>.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Completes with the task's summary when it prints it, or with null when its output ends without one.</summary>
    public Task<TaskSummary?> Finished => _finished.Task;

    public TaskSummary? Summary => _finished.Task.IsCompletedSuccessfully ? _finished.Task.Result : null;

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the summary arrived.</summary>
    public long FinishedAt { get; private set; }

    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>How many helper calls the task has made so far, from its progress lines.</summary>
    public int CallsDone { get; private set; }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static TaskProcess Start(int task, Uri api, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Run as `dotnet MarketPipeline.dll`, the host needs the assembly; run through the apphost, it does not.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(TaskProcess).Assembly.Location);
        }

        start.ArgumentList.Add("task");
        start.ArgumentList.Add(task.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(api.ToString());
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var child = new TaskProcess(task, new Process { StartInfo = start });
        child._process.OutputDataReceived += (_, e) => child.OnOutput(e.Data);
        child._process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                child._errors.Enqueue(e.Data);
            }
        };
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    public void Go() => _process.StandardInput.WriteLine("go");

    public Task ExitAsync() => _process.WaitForExitAsync();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            _ready.TrySetException(new InvalidOperationException($"Task {Task} exited before it was ready."));
            _finished.TrySetResult(null);
        }
        else if (line == PipelineTask.ReadyLine)
        {
            _ready.TrySetResult();
        }
        else if (line.StartsWith(PipelineTask.ProgressLine, StringComparison.Ordinal) && int.TryParse(line.AsSpan(PipelineTask.ProgressLine.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var calls))
        {
            CallsDone = calls;
        }
        else if (TaskSummary.TryParse(line) is { } summary)
        {
            FinishedAt = Stopwatch.GetTimestamp();
            _finished.TrySetResult(summary);
        }
        else if (!string.IsNullOrWhiteSpace(line))
        {
            // A task prints nothing else: whatever it is, the report shows it.
            _errors.Enqueue("(standard output) " + line);
        }
    }
}
