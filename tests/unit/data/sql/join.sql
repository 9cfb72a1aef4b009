-- Total spent per person, people without orders included (as 0).
SELECT p.name,
       p."home city/town" AS "home city",
       count(o.order_id) AS "order count",
       coalesce(sum(o."amount/usd"), 0) AS "total spent"
FROM people AS p
LEFT JOIN orders AS o ON o.person_id = p.id
GROUP BY p.id
ORDER BY p.id;
