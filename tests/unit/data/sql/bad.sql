SELECT name
FROM source
WHERE age >> > 3;
