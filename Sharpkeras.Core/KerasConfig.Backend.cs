using static TorchSharp.torch;

namespace Sharpkeras;

public static partial class Keras
{
    public static partial class Config
    {
        private static string _convolutionBackend = ConvolutionBackendFromEnvironment() ?? "auto";

        /// <summary>
        /// The CPU convolution backend: <c>"auto"</c> (default), <c>"onednn"</c> or <c>"native"</c>
        /// (PyTorch's <c>torch.backends.mkldnn.enabled</c>; CUDA convolutions are not affected).
        /// </summary>
        /// <remarks>
        /// <list type="bullet">
        /// <item><c>"auto"</c>: libtorch's oneDNN kernels (its fastest on x86-64), after a known-answer self-test run
        /// once per process before the first convolution (a few conv1d / conv2d / depthwise convolutions with
        /// integer-valued data whose outputs and both gradients are exact in float32). If it fails, oneDNN is turned
        /// off for the process and one line on stderr names the failing configuration.</item>
        /// <item><c>"onednn"</c>: oneDNN without the self-test.</item>
        /// <item><c>"native"</c>: libtorch's native CPU kernels (oneDNN off).</item>
        /// </list>
        /// The setting is process-wide in libtorch, so it also applies to the user's own TorchSharp convolutions in
        /// the same process; it takes effect at the next convolution a Sharpkeras layer runs. The environment
        /// variable <c>SHARPKERAS_CONV_BACKEND</c> (same values) sets the initial value; <c>SHARPKERAS_KEEP_ONEDNN=1</c>
        /// is read as <c>"onednn"</c>.
        /// </remarks>
        /// <exception cref="ArgumentException">The value is not one of the three names.</exception>
        public static string ConvolutionBackend
        {
            get => _convolutionBackend;
            set => _convolutionBackend = CheckConvolutionBackend(value, nameof(ConvolutionBackend));
        }

        /// <summary>
        /// The CPU convolution backend actually in use: <c>"onednn"</c> or <c>"native"</c>; null before the first
        /// convolution of the process (when <see cref="ConvolutionBackend"/> is applied).
        /// </summary>
        public static string? ActiveConvolutionBackend { get; internal set; }

        /// <summary>
        /// Why <c>"auto"</c> turned oneDNN off (the failing self-test configuration and value), or null when the
        /// self-test passed or has not run.
        /// </summary>
        public static string? ConvolutionSelfTestFailure { get; internal set; }

        /// <summary>
        /// Threads one CPU operation may use (TensorFlow's intra-op parallelism; torch's <c>set_num_threads</c>).
        /// Defaults to libtorch's choice: the number of physical cores. Process-wide.
        /// </summary>
        /// <remarks>
        /// On a machine shared with other CPU-heavy processes, fewer threads than cores (often 1) avoid the
        /// OpenMP threads spinning against each other; see docs/performance.md for the OpenMP wait policy.
        /// </remarks>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
        public static int IntraOpThreads
        {
            get => torch.get_num_threads();
            set
            {
                if (value < 1)
                    throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), value, $"IntraOpThreads must be at least 1; got {value}.");
                torch.set_num_threads(value);
            }
        }

        /// <summary>
        /// Threads libtorch uses to run independent operations side by side (TensorFlow's inter-op parallelism;
        /// torch's <c>set_num_interop_threads</c>). Defaults to libtorch's choice. Process-wide, and libtorch accepts it
        /// only once, before any inter-op work has started: set it first thing in a program.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
        /// <exception cref="InvalidOperationException">libtorch refused the change (already set, or inter-op work has started).</exception>
        public static int InterOpThreads
        {
            get => torch.get_num_interop_threads();
            set
            {
                if (value < 1)
                    throw new ArgumentOutOfRangeException(nameof(InterOpThreads), value, $"InterOpThreads must be at least 1; got {value}.");
                if (value == torch.get_num_interop_threads()) return;
                try
                {
                    torch.set_num_interop_threads(value);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new InvalidOperationException(
                        $"libtorch refused InterOpThreads = {value} (now {torch.get_num_interop_threads()}): it can be set only once per process, " +
                        $"before any inter-op parallel work starts. Set it first thing in the program. ({e.Message})", e);
                }
                if (torch.get_num_interop_threads() != value)
                    throw new InvalidOperationException(
                        $"libtorch refused InterOpThreads = {value} (still {torch.get_num_interop_threads()}): it can be set only once per process, " +
                        "before any inter-op parallel work starts. Set it first thing in the program.");
            }
        }

        private static string CheckConvolutionBackend(string? value, string name)
        {
            ArgumentNullException.ThrowIfNull(value, name);
            var v = value.Trim().ToLowerInvariant();
            return v switch
            {
                // The interned literals: OneDnnGuard compares references.
                "auto" => "auto",
                "onednn" => "onednn",
                "native" => "native",
                _ => throw new ArgumentException($"{name} must be 'auto', 'onednn' or 'native'; got '{value}'.", name),
            };
        }

        private static string? ConvolutionBackendFromEnvironment()
        {
            var env = Environment.GetEnvironmentVariable("SHARPKERAS_CONV_BACKEND");
            if (!string.IsNullOrWhiteSpace(env))
            {
                try { return CheckConvolutionBackend(env, "SHARPKERAS_CONV_BACKEND"); }
                catch (ArgumentException e) { Console.Error.WriteLine($"Sharpkeras: ignoring the environment variable: {e.Message}"); }
            }
            return Environment.GetEnvironmentVariable("SHARPKERAS_KEEP_ONEDNN") == "1" ? "onednn" : null;
        }
    }
}
