using Sharpkeras.Examples.FashionMnist;

try
{
    return FashionMnistExample.Run(args) is null ? 1 : 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
