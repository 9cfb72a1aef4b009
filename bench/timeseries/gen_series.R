#!/usr/bin/env Rscript
# The time-series benchmark's data and R's reference results (run once, from
# this directory: Rscript gen_series.R; needs Debian's r-cran-forecast and
# r-cran-prophet). Writes
#   data/<series>.csv   ds,y: the whole series with dates
#   series.csv          series,n,h,period,unit: the last h points are held out;
#                       period is the seasonal lag of MASE's scale (1: naive)
#   r_results.csv       series,method,mase,smape,fit_ms for forecast::ets,
#                       forecast::auto.arima and prophet (defaults) on the
#                       first n - h points, scored on the last h.
# MASE: mean |y - f| over the horizon / mean |y_t - y_{t-period}| in the
# training part; sMAPE: 100 * mean(2 |y - f| / (|y| + |f|)).
# fit_ms: elapsed time of the fit alone (system.time), on a loaded machine.
suppressMessages({
  library(forecast)
  library(prophet)
})

monthly <- function(x) seq(as.Date(sprintf("%d-%02d-01", start(x)[1], start(x)[2])),
                           by = "month", length.out = length(x))
yearly <- function(first, n) seq(as.Date(sprintf("%04d-01-01", first)), by = "year",
                                 length.out = n)
minutes <- function(n, step) as.POSIXct("2000-01-01 00:00:00", tz = "UTC") + (0:(n - 1)) * 60 * step

sb <- datasets::Seatbelts
tr <- window(datasets::treering, start = 1680) # the last 300 years of 7980
series <- list(
  fdeaths = list(x = datasets::fdeaths, ds = monthly(datasets::fdeaths), h = 12),
  mdeaths = list(x = datasets::mdeaths, ds = monthly(datasets::mdeaths), h = 12),
  drivers = list(x = sb[, "drivers"], ds = monthly(sb), h = 12),
  front = list(x = sb[, "front"], ds = monthly(sb), h = 12),
  AirPassengers = list(x = datasets::AirPassengers, ds = monthly(datasets::AirPassengers),
                       h = 12),
  BJsales = list(x = datasets::BJsales, ds = yearly(1850, 150), h = 10),
  WWWusage = list(x = datasets::WWWusage, ds = minutes(100, 1), h = 10),
  discoveries = list(x = datasets::discoveries, ds = yearly(1860, 100), h = 10),
  airmiles = list(x = datasets::airmiles, ds = yearly(1937, 24), h = 5),
  lh = list(x = datasets::lh, ds = minutes(48, 10), h = 6),
  treering = list(x = tr, ds = yearly(1680, length(tr)), h = 10)
)

mase <- function(y, f, train, m) {
  scale <- mean(abs(diff(as.numeric(train), lag = m)))
  mean(abs(y - f)) / scale
}
smape <- function(y, f) 100 * mean(2 * abs(y - f) / (abs(y) + abs(f)))
fmt_ds <- function(ds) if (inherits(ds, "POSIXct")) format(ds, "%Y-%m-%d %H:%M:%S", tz = "UTC") else
  format(ds, "%Y-%m-%d")

dir.create("data", showWarnings = FALSE)
meta <- data.frame()
res <- data.frame()
for (name in names(series)) {
  s <- series[[name]]
  y <- as.numeric(s$x)
  n <- length(y)
  h <- s$h
  m <- frequency(s$x)
  write.csv(data.frame(ds = fmt_ds(s$ds), y = y), file.path("data", paste0(name, ".csv")),
            row.names = FALSE, quote = FALSE)
  meta <- rbind(meta, data.frame(series = name, n = n, h = h, period = m,
                                 unit = class(s$ds)[1]))
  train <- ts(y[1:(n - h)], start = start(s$x), frequency = m)
  test <- y[(n - h + 1):n]
  add <- function(method, f, secs) {
    res <<- rbind(res, data.frame(series = name, method = method,
                                  mase = signif(mase(test, f, train, m), 6),
                                  smape = signif(smape(test, f), 6),
                                  fit_ms = round(secs * 1000, 1)))
  }
  t <- system.time(fit <- ets(train))["elapsed"]
  add("R ets", as.numeric(forecast(fit, h = h)$mean), t)
  t <- system.time(fit <- auto.arima(train))["elapsed"]
  add("R auto.arima", as.numeric(forecast(fit, h = h)$mean), t)
  df <- data.frame(ds = s$ds[1:(n - h)], y = y[1:(n - h)])
  t <- system.time(fit <- suppressMessages(prophet(df, uncertainty.samples = 0)))["elapsed"]
  fut <- data.frame(ds = s$ds[(n - h + 1):n])
  add("R prophet", as.numeric(predict(fit, fut)$yhat), t)
}
write.csv(meta, "series.csv", row.names = FALSE, quote = FALSE)
write.csv(res, "r_results.csv", row.names = FALSE, quote = FALSE)
cat(sprintf("R %s, forecast %s, prophet %s\n", getRversion(), packageVersion("forecast"),
            packageVersion("prophet")))
